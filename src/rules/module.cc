// Module rules: sources land here.
