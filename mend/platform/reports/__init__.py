"""The reports Mend makes as jobs: what each holds, read from the reader as the person who
asked, and the files drawn from it (a PDF, a printable page, a CSV).

The job that runs them, and the rules of who may ask for and read them, are in
``mend.workers.reports``; the pages and the API start them and hand out their files.
"""
