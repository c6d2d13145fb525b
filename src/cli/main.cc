#include <cstdio>
int main() { std::puts("canvass"); return 0; }
