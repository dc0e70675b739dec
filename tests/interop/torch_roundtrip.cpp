// Files ctnn writes, read by real PyTorch: for each case this program saves a model with
// ctnn::save_safetensors plus an input batch and ctnn's output for it, then runs
// torch_check.py, which builds the same architecture in PyTorch, loads the file with
// load_state_dict(strict=True) and compares PyTorch's output with ctnn's (for tensors of rank
// 0 to 4, their values at PyTorch's indices).
// Exit status: 0 when PyTorch agrees, 77 (ctest: skipped) when python3 or torch is missing,
// except in CI (CI set, and not "false" or "0"), where a missing PyTorch is a failure:
// scripts/test.sh installs python3-torch, so the round trip must run there.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <ctnn/ctnn.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "source_dir.hpp"
#include "tensors_module.hpp"

namespace fs = std::filesystem;

namespace {

/// PyTorch's `Scaled` of torch_check.py: y = lin(x) * scale, scale a registered buffer.
struct Scaled {
  BOOST_HANA_DEFINE_STRUCT(Scaled, (ctnn::Linear<3, 2>, lin), (ctnn::Buffer<float, 2>, scale));
};

/// Adds a ctnn F x B batch as PyTorch's (B, F) tensor: the same bytes, column-major F x B
/// being row-major (B, F).
template <class M>
void add_batch(ctnn::SafetensorsWriter& w, const char* name, const M& m) {
  using S = typename M::Scalar;
  const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> dense = m;
  w.add_values<S>(name, ctnn::dtype_of<S>(), {dense.cols(), dense.rows()},
                  std::span<const S>(dense.data(), static_cast<std::size_t>(dense.size())));
}

template <class X, class Y>
void write_io(const fs::path& path, const X& x, const Y& y) {
  ctnn::SafetensorsWriter w;
  add_batch(w, "x", x);
  add_batch(w, "y", y);
  w.write(path);
}

template <class Net>
void save_case(const fs::path& dir, const std::string& name, std::uint64_t seed, ctnn::SaveOptions options = {}) {
  using S = ctnn::scalar_of<Net>;
  Net net;
  ctnn::init::reset_parameters(net, seed);
  ctnn::save_safetensors(net, dir / (name + ".safetensors"), options);
  Net saved;  // what the file holds (F16 rounds)
  ctnn::load_safetensors(saved, dir / (name + ".safetensors"));
  ctnn::Generator gen(seed + 1);
  Eigen::Matrix<S, Net::in_features, 5> x;
  for (auto& v : x.reshaped()) v = static_cast<S>(gen.normal());
  write_io(dir / (name + ".io.safetensors"), x, saved.infer(x));
}

/// A model with BatchNorm (or any model) after `forwards` training-mode forwards on random
/// batches, its parameters moved off their initial values so that BatchNorm's affine and
/// PReLU's slopes are not PyTorch's constants: running statistics and num_batches_tracked are
/// non-trivial. Saved, then compared in eval mode (torch_check.py calls model.eval()).
template <class Net>
void save_trained_case(const fs::path& dir, const std::string& name, std::uint64_t seed, int forwards = 3) {
  using S = ctnn::scalar_of<Net>;
  auto net = std::make_unique<Net>();
  ctnn::init::reset_parameters(*net, seed);
  ctnn::Generator gen(seed + 1);
  ctnn::parameters(*net, [&](auto& p) {
    for (auto& v : p.value.reshaped()) v += static_cast<S>(gen.uniform(-0.3, 0.3));
  });
  Eigen::Matrix<S, Net::in_features, 4> x;
  for (int step = 0; step < forwards; ++step) {
    for (auto& v : x.reshaped()) v = static_cast<S>(gen.normal() * 1.5 + 0.3);
    (void)net->forward(x);
  }
  net->eval();
  ctnn::save_safetensors(*net, dir / (name + ".safetensors"));
  auto saved = std::make_unique<Net>();  // what the file holds
  ctnn::load_safetensors(*saved, dir / (name + ".safetensors"));
  write_io(dir / (name + ".io.safetensors"), x, saved->infer(x));
}

/// (C, H, W) = (2, 8, 8): Conv2d with padding, BatchNorm2d, ReLU, MaxPool2d, ConvTranspose2d with
/// stride, Conv2d with stride and padding, AdaptiveAvgPool2d, Flatten, Linear.
using Cnn2d = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv2d<2, 4, 3, ctnn::ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<4>, ctnn::ReLU,
                     ctnn::MaxPool2d<2>, ctnn::ConvTranspose2d<4, 3, 2, ctnn::ConvTransposeOptions{.stride = 2}>,
                     ctnn::Conv2d<3, 6, 3, ctnn::ConvOptions{.stride = 2, .padding = 1}>, ctnn::AdaptiveAvgPool2d<2>,
                     ctnn::Flatten, ctnn::Linear<24, 3>>,
    2, 8, 8>;

/// (C, L) = (2, 16), in double: Conv1d with stride and padding, BatchNorm1d, PReLU per channel,
/// MaxPool1d, ConvTranspose1d with stride, GroupNorm, LayerNorm, AvgPool1d, Flatten, Linear.
using Cnn1d = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv1d<2, 4, 5, ctnn::ConvOptions{.stride = 2, .padding = 2}, double>,
                     ctnn::BatchNorm1d<4, ctnn::BatchNormOptions{}, double>, ctnn::PReLU<4, double>, ctnn::MaxPool1d<2>,
                     ctnn::ConvTranspose1d<4, 3, 3, ctnn::ConvTransposeOptions{.stride = 2}, double>,
                     ctnn::GroupNorm<1, 3, ctnn::GroupNormOptions{}, double>,
                     ctnn::LayerNorm<9, ctnn::LayerNormOptions{}, double>, ctnn::AvgPool1d<3>, ctnn::Flatten,
                     ctnn::Linear<9, 2, true, double>>,
    2, 16>;

/// (T, F) = (5, 3): a two-layer bidirectional GRU and a Linear on every time step.
using GruSeq = ctnn::with_input<
    ctnn::Sequential<ctnn::GRU<3, 8, ctnn::RNNOptions{.num_layers = 2, .bidirectional = true}>, ctnn::Linear<16, 2>>,
    5, 3>;

/// (T, F) = (6, 3), in double: an RNN with ReLU, an LSTM without biases, the last step, Linear.
using LstmLast = ctnn::with_input<
    ctnn::Sequential<ctnn::RNN<3, 8, ctnn::RNNOptions{.nonlinearity = ctnn::Nonlinearity::relu}, double>,
                     ctnn::LSTM<8, 6, ctnn::RNNOptions{.bias = false}, double>, ctnn::LastStep,
                     ctnn::Linear<6, 2, true, double>>,
    6, 3>;

}  // namespace

int main() {
  const fs::path dir = fs::temp_directory_path() / ("ctnn_torch_roundtrip_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  using Mlp = ctnn::Sequential<ctnn::Linear<8, 16>, ctnn::ReLU, ctnn::Linear<16, 1>>;
  save_case<Mlp>(dir, "mlp", 1);
  save_case<ctnn::with_scalar<Mlp, double>>(dir, "mlp64", 2);
  save_case<Mlp>(dir, "mlp_f16", 3, {.dtype = ctnn::Dtype::F16, .metadata = {}});
  save_case<Mlp>(dir, "mlp_bf16", 4, {.dtype = ctnn::Dtype::BF16, .metadata = {}});
  save_case<ctnn::Sequential<ctnn::Linear<4, 6, false>, ctnn::Sequential<ctnn::Linear<6, 6>, ctnn::Tanh>,
                             ctnn::Linear<6, 2>>>(dir, "nested", 5);
  save_case<ctnn::Sequential<ctnn::Linear<6, 16>, ctnn::GELU, ctnn::Linear<16, 16>, ctnn::SiLU, ctnn::Linear<16, 3>,
                             ctnn::LogSoftmax>>(dir, "deep", 6);
  {
    Scaled s;
    ctnn::init::reset_parameters(s, 7);
    s.scale.value << 0.5f, -2.0f;
    ctnn::save_safetensors(s, dir / "scaled.safetensors");
    Eigen::Matrix<float, 3, 4> x = Eigen::Matrix<float, 3, 4>::Random();
    Eigen::Matrix<float, 2, 4> y = s.lin.forward(x);
    y = (y.array().colwise() * s.scale.value.array()).matrix();
    write_io(dir / "scaled.io.safetensors", x, y);
  }
  {
    // BatchNorm2d and BatchNorm1d with running statistics from three training batches, saved
    // and compared in eval mode (torch_check.py calls model.eval())
    using Bn = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<2>, ctnn::ReLU, ctnn::Flatten, ctnn::Linear<18, 3>,
                                                 ctnn::BatchNorm1d<3>>,
                                2, 3, 3>;
    Bn net;
    ctnn::init::reset_parameters(net, 8);
    ctnn::Generator gen(9);
    ctnn::parameters(net, [&](auto& p) {
      for (auto& v : p.value.reshaped()) v += static_cast<float>(gen.uniform(-0.5, 0.5));
    });
    Eigen::Matrix<float, 18, 5> x;
    for (int step = 0; step < 3; ++step) {
      for (auto& v : x.reshaped()) v = static_cast<float>(gen.normal() * 2.0 + 0.5);
      (void)net.forward(x);
    }
    net.eval();
    ctnn::save_safetensors(net, dir / "batchnorm.safetensors");
    write_io(dir / "batchnorm.io.safetensors", x, net.infer(x));
  }
  save_trained_case<Cnn2d>(dir, "cnn2d", 10);
  save_trained_case<Cnn1d>(dir, "cnn1d", 11);
  save_trained_case<GruSeq>(dir, "gru", 12);
  save_trained_case<LstmLast>(dir, "lstm", 13);
  {
    // tensors of rank 4, 3 and 0 and an int64 0-D buffer, each element a function of its
    // PyTorch index, which torch_check.py recomputes; the non-persistent buffer is not written
    ctnn_test::Tensors t;
    for (int o = 0; o < 8; ++o)
      for (int i = 0; i < 3; ++i)
        for (int y = 0; y < 3; ++y)
          for (int x = 0; x < 3; ++x) t.conv2d.value(o, i * 9 + y * 3 + x) = float(1000 * o + 100 * i + 10 * y + x);
    for (int o = 0; o < 16; ++o)
      for (int k = 0; k < 5; ++k) t.conv1d.value(o, k) = -float(10 * o + k);
    t.temperature.item() = 0.25f;
    t.num_batches_tracked.item() = (std::int64_t{1} << 40) + 3;
    t.hidden.value.setConstant(7.0f);
    ctnn::save_safetensors(t, dir / "tensors.safetensors");
  }
  const std::string cmd = "/usr/bin/python3 " + ctnn_test::source_dir() + "/tests/interop/torch_check.py " + dir.string();
  const int status = std::system(cmd.c_str());
  fs::remove_all(dir);
  if (status == -1 || !WIFEXITED(status)) return 1;
  const int code = WEXITSTATUS(status);
  if (code != 127 && code != 77) return code;
  // 127: no /usr/bin/python3 at all, so no PyTorch either; 77: torch_check.py found no torch
  const char* ci = std::getenv("CI");
  const bool in_ci = ci && *ci && std::string(ci) != "false" && std::string(ci) != "0";
  std::cout << (in_ci ? "FAILED (CI is set, where every test must run): " : "SKIPPED: ")
            << (code == 127 ? "/usr/bin/python3 is not installed" : "/usr/bin/python3 cannot import torch")
            << "; install Debian's python3-torch (scripts/test.sh does)\n";
  return in_ci ? 1 : 77;
}
