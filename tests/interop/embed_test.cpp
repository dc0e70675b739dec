// Headers written by ctnn-embed (at build time, tests/CMakeLists.txt) for files PyTorch wrote:
// a nested Sequential with a bias-free Linear ("1.0.weight"), a struct with a member layer and a
// buffer ("lin.weight", "scale"), F64 weights of a double model (through load()), and tensors
// of rank 4, 3 and 0 with an int64 0-D buffer. The embedded models must equal the same files
// loaded with ctnn::load_safetensors, bit for bit. The layer families of issues 12 and 13 too:
// a CNN with BatchNorm buffers, a two-layer GRU and a bidirectional LSTM, each loaded strictly
// from PyTorch's file and embedded, both giving PyTorch's outputs (io_<name>.txt, relative
// 1e-5). Returns 1 otherwise.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "embedded_buffer.hpp"
#include "embedded_cnn.hpp"
#include "embedded_gru.hpp"
#include "embedded_lstm.hpp"
#include "embedded_mlp_f64.hpp"
#include "embedded_nested.hpp"
#include "embedded_tensors.hpp"
#include "reference.hpp"
#include "source_dir.hpp"

namespace {

/// Loads io_<name>.safetensors (PyTorch's, strictly) into one model and the embedded header's
/// weights into another; both must hold the same bytes and give PyTorch's eval-mode y for x.
template <class Net>
bool pytorch_file_and_embedded(const std::string& name, void (*load_embedded)(Net&)) {
  auto loaded = std::make_unique<Net>();
  ctnn::load_safetensors(*loaded, std::string(CTNN_REFERENCE_DIR) + "/io_" + name + ".safetensors");
  auto embedded = std::make_unique<Net>();
  load_embedded(*embedded);
  const bool same = ctnn::to_safetensors(*embedded) == ctnn::to_safetensors(*loaded);
  const auto ref = ctnn_test::load_reference("io_" + name);
  const auto& xs = ref.tensor("x");
  const auto& ys = ref.tensor("y");
  const Eigen::Index B = xs.dim(0);
  const Eigen::MatrixXd x = Eigen::Map<const Eigen::MatrixXd>(xs.values.data(), xs.dim(1), B);  // F x B
  const Eigen::MatrixXd y = Eigen::Map<const Eigen::MatrixXd>(ys.values.data(), ys.dim(1), B);
  loaded->eval();
  embedded->eval();
  const Eigen::Matrix<float, Net::in_features, Eigen::Dynamic> xf = x.cast<float>();
  const Eigen::MatrixXd y_loaded = loaded->infer(xf).template cast<double>();
  const Eigen::MatrixXd y_embedded = embedded->infer(xf).template cast<double>();
  const double err = (y_loaded - y).norm() / std::max(y.norm(), 1.0);
  const bool ok = same && err <= 1e-5 && y_embedded == y_loaded;
  std::printf("%s: %s, PyTorch's outputs: relative error %.3g%s\n", name.c_str(), same ? "same" : "DIFFERENT", err,
              ok ? "" : " FAIL");
  return ok;
}

}  // namespace

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
  const bool cnn_ok = pytorch_file_and_embedded<embed_test::Cnn>("cnn", embedded_cnn::load);
  const bool gru_ok = pytorch_file_and_embedded<embed_test::Gru>("gru", embedded_gru::load);
  const bool lstm_ok = pytorch_file_and_embedded<embed_test::Lstm>("lstm", embedded_lstm::load);
  return nested_ok && scaled_ok && mlp_ok && tensors_ok && cnn_ok && gru_ok && lstm_ok ? 0 : 1;
}
