"""The event-sourced domain: aggregates, their events and rules, and the application service."""
