// Headers written by ctnn-embed (at build time, tests/CMakeLists.txt) for files PyTorch wrote:
// a nested Sequential with a bias-free Linear ("1.0.weight"), a struct with a member layer and a
// buffer ("lin.weight", "scale"), F64 weights of a double model (through load()), and tensors
// of rank 4, 3 and 0 with an int64 0-D buffer. The embedded models must equal the same files
// loaded with ctnn::load_safetensors, bit for bit. Returns 1 otherwise.
#include <cstdio>
#include <memory>
#include <string>

#include "embedded_buffer.hpp"
#include "embedded_mlp_f64.hpp"
#include "embedded_nested.hpp"
#include "embedded_tensors.hpp"
#include "source_dir.hpp"

int main() {
  const std::string data = CTNN_REFERENCE_DIR;
  embed_test::Nested nested;
  ctnn::load_safetensors(nested, data + "/io_nested.safetensors");
  embed_test::Scaled scaled;
  ctnn::load_safetensors(scaled, data + "/io_buffer.safetensors");

  auto mlp = std::make_unique<embed_test::Mlp64>();
  ctnn::load_safetensors(*mlp, data + "/io_mlp_f64.safetensors");
  auto embedded_mlp = std::make_unique<embed_test::Mlp64>();
  embedded_mlp_f64::load(*embedded_mlp);

  embed_test::Tensors tensors;
  ctnn::load_safetensors(tensors, data + "/io_tensors.safetensors");
  embed_test::Tensors embedded_tensors_model;
  embedded_tensors_model.hidden.value.setConstant(2.0f);  // non-persistent: not in the header
  embedded_tensors::load(embedded_tensors_model);
  const bool tensors_ok = ctnn::to_safetensors(embedded_tensors_model) == ctnn::to_safetensors(tensors) &&
                          embedded_tensors_model.num_batches_tracked.item() == 12345678901 &&
                          (embedded_tensors_model.hidden.value.array() == 2.0f).all() &&
                          embedded_tensors_model.conv2d.value(7, 26) == tensors.conv2d.value(7, 26);

  const bool mlp_ok = ctnn::to_safetensors(*embedded_mlp) == ctnn::to_safetensors(*mlp);
  const bool nested_ok = ctnn::to_safetensors(embedded_nested::make()) == ctnn::to_safetensors(nested);
  const bool scaled_ok = ctnn::to_safetensors(embedded_buffer::make()) == ctnn::to_safetensors(scaled);
  std::printf("nested: %s, buffer: %s, F64: %s, tensors: %s\n", nested_ok ? "same" : "DIFFERENT",
              scaled_ok ? "same" : "DIFFERENT", mlp_ok ? "same" : "DIFFERENT", tensors_ok ? "same" : "DIFFERENT");
  return nested_ok && scaled_ok && mlp_ok && tensors_ok ? 0 : 1;
}
