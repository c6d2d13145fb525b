// Module delegates: sources land here.
