// Module cli: sources land here.
