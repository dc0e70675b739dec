// A header written by ctnn-embed names a tensor the model's layer does not have (a file of a
// GRU with biases for a model without): one error, whose note names the tensor and the layer
// (docs/errors.md).
#include <ctnn/core/sequential.hpp>
#include <ctnn/io/embedded.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/recurrent.hpp>

using Net = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, 2, ctnn::RNNOptions{.bias = false}>, ctnn::Linear<2, 1>>, 3, 1>;
inline constexpr float t0[] = {1, 2, 3, 4, 5, 6};

int main() {
  Net m;
#ifdef CTNN_SHOULD_FAIL
  ctnn::assign_embedded<"0.bias_ih_l0", 6>(ctnn::embedded_slot<"bias_ih_l0">(m.template get<0>()), t0);
#else
  ctnn::assign_embedded<"0.weight_ih_l0", 6, 1>(ctnn::embedded_slot<"weight_ih_l0">(m.template get<0>()), t0);
#endif
  return m.get<0>().weight_ih_first[0].value(5, 0) == 6 ? 0 : 1;
}
