// MaxPool1d(3, padding=1, dilation=4) spans 9 elements; a padded input of 6 + 2 cannot hold it.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/pooling.hpp>

using Pool = ctnn::MaxPool1d<3, ctnn::PoolOptions{.stride = 1, .padding = 1, .dilation = 4}>;
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<Pool>, 1, 6>;
#else
using Net = ctnn::with_input<ctnn::Sequential<Pool>, 1, 7>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, Net::in_features>::Zero()).size() == 1 ? 0 : 1;
}
