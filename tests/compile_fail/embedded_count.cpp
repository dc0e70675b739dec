// A header written by ctnn-embed for a model with another number of tensors: one error whose
// note names both counts (docs/interop.md).
#include <ctnn/core/sequential.hpp>
#include <ctnn/io/embedded.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/linear.hpp>

using Net = ctnn::Sequential<ctnn::Linear<2, 3>, ctnn::Tanh, ctnn::Linear<3, 1>>;

#ifdef CTNN_SHOULD_FAIL
static_assert(ctnn::check_embedded_tensor_count<Net, 3>());  // a file without "2.bias"
#else
static_assert(ctnn::check_embedded_tensor_count<Net, 4>());
#endif

int main() { return 0; }
