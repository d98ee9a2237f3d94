"""Load: reading plan files, the plan set and its catalogue, and the data they are checked against."""
