// Compile-time benchmark: the header a user includes to run a model (no training, files or
// printing), and nothing else. Target (issue 11): at most 1.5 s.
#include <ctnn/inference.hpp>

int main() { return 0; }
