"""Figures across entities: peer comparisons for reports, progress and exports for MinTIC staff.

`peers`, `progress`, `progress_table` and `dataset` are pure (records in, values or text out);
`results` is the one step that talks to the database during a conversation; `writers` turns a
dataset into CSV, XLSX or JSON files; `cycle` says which cycle is current.
"""
