// Causal padding is Conv1d's (the left of a signal); a 2-D layer takes numbers, same or valid.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv2d<1, 4, 3, ctnn::ConvOptions{.padding = ctnn::causal}>;
#else
using Conv = ctnn::Conv2d<1, 4, 3, ctnn::ConvOptions{.padding = ctnn::same}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<1, 8, 8>) ? 0 : 1; }
