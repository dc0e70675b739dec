// A 5 x 5 window does not fit a 4 x 4 feature map without padding: an output of size 0.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::MaxPool2d<5>, ctnn::Flatten>, 3, 4, 4>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::MaxPool2d<5>, ctnn::Flatten>, 3, 5, 5>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, Net::in_features>::Zero()).size() == 3 ? 0 : 1;
}
