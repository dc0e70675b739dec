// A pooling kernel of size 0 pools nothing.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::MaxPool1d<0>;
#else
using Pool = ctnn::MaxPool1d<1>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 4>) == ctnn::shape_of<1, 4> ? 0 : 1; }
