// The host side of the firmware test (examples/mcu):
//   mcu_reference weights DIR        writes net_a.safetensors ... net_g.safetensors (fixed seeds)
//   mcu_reference check NET DIR LOG  computes net NET's outputs on the host from DIR's weights
//                                    and compares every "y NET k i 0xBITS" line of the
//                                    firmware's LOG with them, within 1e-5 relative
// Returns 0 when the log holds every output and all agree, 1 otherwise.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctnn/ctnn.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>

#include "nets.hpp"

namespace {

template <class Net>
void write_weights(const std::filesystem::path& file, std::uint64_t seed) {
  ctnn::manual_seed(seed);
  const Net net;
  ctnn::save_safetensors(net, file);
}

/// Relative to the larger magnitude, with an absolute floor for outputs near zero, where a
/// relative difference says nothing (1e-5 of 1e-3).
bool close(float got, float want) {
  const double scale = std::fmax(std::fmax(std::fabs(got), std::fabs(want)), 1e-3);
  return std::fabs(static_cast<double>(got) - want) <= 1e-5 * scale;
}

template <class Net>
int check(const std::string& name, const std::filesystem::path& weights, const std::filesystem::path& log) {
  Net net;
  ctnn::load_safetensors(net, weights);
  std::map<std::pair<int, int>, float> seen;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string tag, net_name, bits;
    int k = 0, i = 0;
    if (!(ls >> tag >> net_name >> k >> i >> bits) || tag != "y" || net_name != name) continue;
    const auto u = static_cast<std::uint32_t>(std::stoul(bits, nullptr, 16));
    float v;
    std::memcpy(&v, &u, sizeof v);
    seen[{k, i}] = v;
  }
  int bad = 0;
  double worst = 0;
  for (int k = 0; k < mcu::samples; ++k) {
    // a streamed net (mcu::streamed) too: its sample is the whole signal, so the firmware's
    // steps are checked against the host's sequence mode, another code path
    const auto y = net.infer(mcu::input<Net::in_features>(k));
    for (int i = 0; i < Net::out_features; ++i) {
      const auto it = seen.find({k, i});
      if (it == seen.end()) {
        std::printf("net %s: output %d of sample %d is missing from the firmware's log\n", name.c_str(), i, k);
        ++bad;
        continue;
      }
      worst = std::fmax(worst, std::fabs(static_cast<double>(it->second) - y(i)) / std::fmax(std::fabs(y(i)), 1e-3));
      if (!close(it->second, y(i))) {
        std::printf("net %s, sample %d, output %d: firmware %.9g, host %.9g\n", name.c_str(), k, i, it->second, y(i));
        ++bad;
      }
    }
  }
  const int expected = mcu::samples * Net::out_features;
  if (static_cast<int>(seen.size()) != expected) {
    std::printf("net %s: the log holds %zu outputs, expected %d\n", name.c_str(), seen.size(), expected);
    ++bad;
  }
  std::printf("net %s: %d outputs compared, largest relative difference %.3g, %d wrong\n", name.c_str(), expected,
              worst, bad);
  return bad == 0 ? 0 : 1;
}

template <class F>
int for_net(const std::string& name, F&& f) {
  if (name == "A") return f(std::type_identity<mcu::NetA>{}, "net_a", 1);
  if (name == "B") return f(std::type_identity<mcu::NetB>{}, "net_b", 2);
  if (name == "C") return f(std::type_identity<mcu::NetC>{}, "net_c", 3);
  if (name == "D") return f(std::type_identity<mcu::NetD>{}, "net_d", 4);
  if (name == "E") return f(std::type_identity<mcu::NetE>{}, "net_e", 5);
  if (name == "F") return f(std::type_identity<mcu::NetF>{}, "net_f", 6);
  if (name == "G") return f(std::type_identity<mcu::NetG>{}, "net_g", 7);
  std::printf("mcu_reference: no net named %s\n", name.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "weights" && argc == 3) {
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    for (const char* name : {"A", "B", "C", "D", "E", "F", "G"})
      for_net(name, [&](auto net, const char* file, int seed) {
        write_weights<typename decltype(net)::type>(dir / (std::string(file) + ".safetensors"), 1400 + seed);
        return 0;
      });
    return 0;
  }
  if (mode == "check" && argc == 5) {
    const std::string name = argv[2];
    return for_net(name, [&](auto net, const char* file, int) {
      return check<typename decltype(net)::type>(name, std::filesystem::path(argv[3]) / (std::string(file) + ".safetensors"), argv[4]);
    });
  }
  std::cerr << "usage: mcu_reference weights DIR | mcu_reference check NET DIR LOG\n";
  return 1;
}
