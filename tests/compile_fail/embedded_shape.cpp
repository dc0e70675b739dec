// A header written by ctnn-embed fills a parameter with an array of another shape: one error,
// whose note names the tensor, the header's shape and the model's (docs/interop.md).
#include <ctnn/core/sequential.hpp>
#include <ctnn/io/embedded.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/linear.hpp>

using Net = ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::Tanh, ctnn::Linear<3, 1>>;
inline constexpr float t0[] = {1, 2, 3, 4, 5, 6};

int main() {
  Net m;
#ifdef CTNN_SHOULD_FAIL
  ctnn::assign_embedded<"0.weight", 2, 3>(m.template get<0>().weight, t0);  // the file was (2, 3)
#else
  ctnn::assign_embedded<"0.weight", 3, 2>(m.template get<0>().weight, t0);
#endif
  return m.get<0>().weight.value(2, 1) == 6 ? 0 : 1;
}
