// The shape given with with_input must be one the first layer takes.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<4, 2>, ctnn::Tanh>, 3, 5>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<4, 2>, ctnn::Tanh>, 3, 4>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, Net::in_features>::Zero()).size() == Net::out_features ? 0 : 1;
}
