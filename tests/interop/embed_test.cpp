// Headers written by ctnn-embed (at build time, tests/CMakeLists.txt) for files PyTorch wrote:
// a nested Sequential with a bias-free Linear ("1.0.weight"), and a struct with a member layer
// and a buffer ("lin.weight", "scale"), and F64 weights of a double model (through load()). The embedded models must equal the same files loaded
// with ctnn::load_safetensors, bit for bit. Returns 1 otherwise.
#include <cstdio>
#include <memory>
#include <string>

#include "embedded_buffer.hpp"
#include "embedded_mlp_f64.hpp"
#include "embedded_nested.hpp"
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

  const bool mlp_ok = ctnn::to_safetensors(*embedded_mlp) == ctnn::to_safetensors(*mlp);
  const bool nested_ok = ctnn::to_safetensors(embedded_nested::make()) == ctnn::to_safetensors(nested);
  const bool scaled_ok = ctnn::to_safetensors(embedded_buffer::make()) == ctnn::to_safetensors(scaled);
  std::printf("nested: %s, buffer: %s, F64: %s\n", nested_ok ? "same" : "DIFFERENT", scaled_ok ? "same" : "DIFFERENT",
              mlp_ok ? "same" : "DIFFERENT");
  return nested_ok && scaled_ok && mlp_ok ? 0 : 1;
}
