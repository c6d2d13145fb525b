// Module caucus: sources land here.
