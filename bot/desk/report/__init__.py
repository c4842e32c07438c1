"""The "voice of the beneficiary" report, computed from Balagh's own store.

One concern per module: `period` (dates and bounds), `stats` (median, percentiles),
`rows` (the SQL that reads the store), `figures` (pure computations over those rows),
`privacy` (personal data out of comments), `labels` (Arabic wording), `charts`
(matplotlib, shaped Arabic), `html_page` and `csv_export` (the outputs), `build` (the
pipeline the CLI and the desk share) and `demo_data` (a seeded generator).
"""
