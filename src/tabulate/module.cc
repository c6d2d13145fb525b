// Module tabulate: sources land here.
