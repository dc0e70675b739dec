// A layer that cannot stream may say why, as a type whose name is the sentence
// (`using cannot_stream_because = ...`): the error names the layer and gives its reason.
#include <ctnn/ctnn.hpp>

#include "toy_conv.hpp"

struct only_a_causal_ToyConv_keeps_its_past_inputs;

template <int C, int C2>
struct PaddedToyConv : ToyConv<C, C2> {
  using cannot_stream_because = only_a_causal_ToyConv_keeps_its_past_inputs;
};

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<50, 50>, PaddedToyConv<4, 2>>, 4, 50>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<50, 50>, ctnn::ReLU>, 4, 50>;
#endif

int main() {
  Net net;
  (void)net(ctnn::Sample<float, 200>::Zero());  // PaddedToyConv computes on whole samples
  return net.step(ctnn::Sample<float, 50>::Zero()).size() > 0 ? 0 : 1;
}
