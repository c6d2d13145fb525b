// Module io: sources land here.
