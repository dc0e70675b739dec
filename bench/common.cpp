#include "common.hpp"

#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

namespace bench {

const NetSpec& spec(char net) {
  static const std::map<char, NetSpec> specs = {
      {'A', {'A', {8, 128, 128, 1}, Act::relu}},
      {'B', {'B', {1, 8, 8, 1}, Act::tanh}},
      {'C', {'C', {64, 8, 1}, Act::relu}},
      {'D', {'D', {16, 64, 64, 64, 4}, Act::tanh}},
      {'E', {'E', {1024, 1024, 1024}, Act::relu}},
  };
  return specs.at(net);
}

const std::vector<LayerWeights>& weights(char net) {
  static std::map<char, std::vector<LayerWeights>> cache;
  auto [it, fresh] = cache.try_emplace(net);
  if (fresh) {
    std::mt19937_64 gen(1000 + net);
    const auto& w = spec(net).widths;
    for (std::size_t l = 0; l + 1 < w.size(); ++l) {
      const float bound = 1.0f / std::sqrt(static_cast<float>(w[l]));
      std::uniform_real_distribution<float> u(-bound, bound);
      LayerWeights lw{w[l], w[l + 1], std::vector<float>(std::size_t(w[l]) * w[l + 1]), std::vector<float>(w[l + 1])};
      for (auto& v : lw.W) v = u(gen);
      for (auto& v : lw.b) v = u(gen);
      it->second.push_back(std::move(lw));
    }
  }
  return it->second;
}

static std::vector<float> uniform(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(gen);
  return v;
}

std::vector<float> inputs(char net, int count) {
  return uniform(2000 + net * 7 + count, std::size_t(spec(net).widths.front()) * count);
}
std::vector<float> targets(char net, int count) {
  return uniform(3000 + net * 7 + count, std::size_t(spec(net).widths.back()) * count);
}

static std::vector<Registered>& registry() {
  static std::vector<Registered> r;
  return r;
}
void register_outputs(const std::string& impl, OutputsFn fn) { registry().push_back({impl, std::move(fn)}); }
const std::vector<Registered>& registered_outputs() { return registry(); }

}  // namespace bench
