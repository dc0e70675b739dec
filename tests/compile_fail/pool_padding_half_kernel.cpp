// PyTorch pads a pooling window by at most half its kernel size: padding 2 for kernel 3 is refused.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::MaxPool1d<3, ctnn::PoolOptions{.stride = 1, .padding = 2}>;
#else
using Pool = ctnn::MaxPool1d<3, ctnn::PoolOptions{.stride = 1, .padding = 1}>;
#endif
using Net = ctnn::with_input<ctnn::Sequential<Pool>, 2, 8>;

int main() {
  Net net;
  return net(ctnn::Sample<float, 16>::Zero()).size() == 16 ? 0 : 1;
}
