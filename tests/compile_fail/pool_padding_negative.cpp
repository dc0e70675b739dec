// A pooling padding must not be negative.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::AvgPool1d<2, ctnn::PoolOptions{.padding = -1}>;
#else
using Pool = ctnn::AvgPool1d<2, ctnn::PoolOptions{.padding = 1}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 4>) == ctnn::shape_of<1, 3> ? 0 : 1; }
