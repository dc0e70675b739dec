// torch.nn.AvgPool1d has no divisor_override (AvgPool2d has).
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::AvgPool1d<2, ctnn::PoolOptions{.divisor_override = 3}>;
#else
using Pool = ctnn::AvgPool2d<2, ctnn::PoolOptions{.divisor_override = 3}>;
#endif

int main() { return Pool::repr_name.size() == 9 ? 0 : 1; }
