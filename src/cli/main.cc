#include "cli/commands.h"

int main(int argc, char** argv) { return canvass::RunCanvass(argc, argv); }
