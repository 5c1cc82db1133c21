"""Mend: an event-sourced platform for practitioners who repair broken trust."""
