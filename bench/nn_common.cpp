#include "nn_common.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

namespace bench::nn {

namespace {

/// FNV-1a: a seed per key that does not depend on the standard library's std::hash.
std::uint64_t seed_of(const std::string& key) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct Spec {
  std::string name;
  std::vector<int> shape;
  float lo, hi;
};

std::vector<Spec> specs(const std::string& model) {
  auto bound = [](int fan_in) { return 1.0f / std::sqrt(float(fan_in)); };
  auto conv = [&](const std::string& n, std::vector<int> w) {
    int fan_in = 1;
    for (std::size_t i = 1; i < w.size(); ++i) fan_in *= w[i];
    const float b = bound(fan_in);
    return std::vector<Spec>{{n + ".weight", w, -b, b}, {n + ".bias", {w[0]}, -b, b}};
  };
  auto bn = [](const std::string& n, int c) {
    return std::vector<Spec>{{n + ".weight", {c}, 0.5f, 1.5f},
                             {n + ".bias", {c}, -0.2f, 0.2f},
                             {n + ".running_mean", {c}, -0.2f, 0.2f},
                             {n + ".running_var", {c}, 0.5f, 1.5f}};
  };
  auto rnn = [&](int gates, int in, int h) {
    const float b = bound(h);
    return std::vector<Spec>{{"0.weight_ih_l0", {gates * h, in}, -b, b},
                             {"0.weight_hh_l0", {gates * h, h}, -b, b},
                             {"0.bias_ih_l0", {gates * h}, -b, b},
                             {"0.bias_hh_l0", {gates * h}, -b, b}};
  };
  std::vector<Spec> s;
  auto add = [&](std::vector<Spec> more) { s.insert(s.end(), more.begin(), more.end()); };
  if (model == "CNN1") {
    // indices of the nn.Sequential: 0 Conv1d, 1 ReLU, 2 MaxPool1d, 3 Conv1d, 4 ReLU, 5 pool, 6 Flatten, 7 Linear
    add(conv("0", {16, 1, 5}));
    add(conv("3", {32, 16, 5}));
    add(conv("7", {4, 32}));
  } else if (model == "CNN2") {
    // 0 Conv2d, 1 BatchNorm2d, 2 ReLU, 3 MaxPool2d, 4 Conv2d, 5 BatchNorm2d, 6 ReLU, 7 MaxPool2d, 8 Flatten, 9 Linear
    add(conv("0", {8, 1, 3, 3}));
    add(bn("1", 8));
    add(conv("4", {16, 8, 3, 3}));
    add(bn("5", 16));
    add(conv("9", {10, 784}));
  } else if (model.rfind("GRU", 0) == 0 || model.rfind("LSTM", 0) == 0) {
    const bool gru = model[0] == 'G';
    const std::string rest = model.substr(gru ? 3 : 4);
    const bool seq = rest == "seq";
    const int h = seq ? kSeqHidden : std::stoi(rest), in = seq ? kSeqIn : 1;
    add(rnn(gru ? 3 : 4, in, h));
    const float b = bound(h);
    add({{"1.weight", {1, h}, -b, b}, {"1.bias", {1}, -b, b}});
  } else if (model == "TCN") {
    for (int l = 0; l < kTcnLayers; ++l) add(conv(std::to_string(l) + ".0", {kTcnChannels, kTcnChannels, kTcnKernel}));
  } else {
    std::fprintf(stderr, "bench::nn::params: unknown model %s\n", model.c_str());
    std::abort();
  }
  return s;
}

}  // namespace

std::vector<float> uniform(const std::string& key, std::size_t n, float lo, float hi) {
  std::mt19937_64 gen(seed_of(key));
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(gen);
  return v;
}

std::vector<int> labels(const std::string& key, std::size_t n, int classes) {
  std::mt19937_64 gen(seed_of(key));
  std::vector<int> v(n);
  for (auto& x : v) x = int(gen() % std::uint64_t(classes));
  return v;
}

const std::vector<Tensor>& params(const std::string& model) {
  static std::map<std::string, std::vector<Tensor>> cache;
  auto [it, fresh] = cache.try_emplace(model);
  if (fresh) {
    for (const auto& s : specs(model)) {
      std::size_t n = 1;
      for (int d : s.shape) n *= std::size_t(d);
      it->second.push_back({s.name, s.shape, uniform(model + "/" + s.name, n, s.lo, s.hi)});
    }
  }
  return it->second;
}

namespace {
struct Check {
  std::string impl;
  CheckFn fn;
  float tolerance;
};
std::map<std::string, std::vector<Check>>& checks() {
  static std::map<std::string, std::vector<Check>> c;
  return c;
}
}  // namespace

void register_check(const std::string& case_name, const std::string& impl, CheckFn fn, float tolerance) {
  checks()[case_name].push_back({impl, std::move(fn), tolerance});
}

bool cross_check() {
  bool ok = true;
  if (checks().empty()) return ok;
  std::printf("cross-check (CNN, RNN, streaming): max |output - eigen's| (training: losses of %d Adam steps)\n",
              kNnCheckSteps);
  for (const auto& [name, list] : checks()) {
    std::vector<float> ref;
    for (const auto& c : list)
      if (c.impl == "eigen") ref = c.fn();
    if (ref.empty()) continue;
    float scale = 1.0f;
    for (float r : ref) scale = std::max(scale, std::abs(r));
    std::printf("  %s:", name.c_str());
    for (const auto& c : list) {
      if (c.impl == "eigen") continue;
      const auto v = c.fn();
      float diff = v.size() == ref.size() ? 0.0f : INFINITY;
      for (std::size_t i = 0; i < v.size() && i < ref.size(); ++i) diff = std::max(diff, std::abs(v[i] - ref[i]));
      if (std::isnan(diff)) diff = INFINITY;
      const bool good = diff <= c.tolerance * scale;
      ok = ok && good;
      std::printf("  %s %.2e%s", c.impl.c_str(), double(diff), good ? "" : " (TOO LARGE)");
      if (!good && std::getenv("CTNN_BENCH_VERBOSE"))
        for (std::size_t i = 0; i < v.size() && i < ref.size() && i < 8; ++i) std::printf(" [%g vs %g]", double(v[i]), double(ref[i]));
    }
    std::printf("\n");
  }
  return ok;
}

}  // namespace bench::nn
