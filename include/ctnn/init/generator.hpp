/// @file Defines ctnn::Generator, the seeded random source behind initialisation and Dropout,
/// and ctnn::manual_seed (torch.manual_seed).
///
/// The numbers depend only on the seed: the engine is MT19937-64 (std::mt19937_64, fully
/// specified by the standard) and the conversions to uniform and normal values are written
/// here, not taken from <random>'s distributions, whose results differ between standard
/// libraries. The engine is written here too, because <random> alone costs every program that
/// constructs a layer about 0.05 s of compile time (docs/performance.md, compile time).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace ctnn {

namespace detail {

/// std::mt19937_64's engine, value for value (tests/unit/modules_test.cpp compares them), and
/// its state text as libstdc++ writes it (the 312 words, then the position), which training
/// checkpoints store: files written before this engine was ctnn's own still resume.
class Mt19937_64 {
 public:
  static constexpr std::size_t n = 312;

  explicit Mt19937_64(std::uint64_t s = 5489u) { seed(s); }

  void seed(std::uint64_t s) {
    x_[0] = s;
    for (std::size_t i = 1; i < n; ++i) x_[i] = 6364136223846793005ULL * (x_[i - 1] ^ (x_[i - 1] >> 62)) + i;
    p_ = n;
  }

  std::uint64_t operator()() {
    if (p_ >= n) twist();
    std::uint64_t z = x_[p_++];
    z ^= (z >> 29) & 0x5555555555555555ULL;
    z ^= (z << 17) & 0x71d67fffeda60000ULL;
    z ^= (z << 37) & 0xfff7eee000000000ULL;
    z ^= z >> 43;
    return z;
  }

  friend std::ostream& operator<<(std::ostream& os, const Mt19937_64& e) {
    for (std::size_t i = 0; i < n; ++i) os << e.x_[i] << ' ';
    return os << e.p_;
  }
  /// Reads what operator<< wrote; on a malformed text, sets failbit and leaves `e` unchanged.
  friend std::istream& operator>>(std::istream& is, Mt19937_64& e) {
    Mt19937_64 r;
    for (std::size_t i = 0; i < n; ++i) is >> r.x_[i];
    is >> r.p_;
    if (is && r.p_ > n) is.setstate(std::ios_base::failbit);
    if (is) e = r;
    return is;
  }

 private:
  static constexpr std::size_t m = 156;
  static constexpr std::uint64_t upper = ~std::uint64_t{0} << 31, lower = ~upper;
  static constexpr std::uint64_t mix(std::uint64_t y) { return (y >> 1) ^ ((y & 1) ? 0xb5026f5aa96619e9ULL : 0); }
  void twist() {
    for (std::size_t k = 0; k < n - m; ++k) x_[k] = x_[k + m] ^ mix((x_[k] & upper) | (x_[k + 1] & lower));
    for (std::size_t k = n - m; k < n - 1; ++k) x_[k] = x_[k + m - n] ^ mix((x_[k] & upper) | (x_[k + 1] & lower));
    x_[n - 1] = x_[m - 1] ^ mix((x_[n - 1] & upper) | (x_[0] & lower));
    p_ = 0;
  }

  std::uint64_t x_[n] = {};
  std::size_t p_ = n;
};

}  // namespace detail

class Generator {
 public:
  /// PyTorch's default seed, so an unseeded program is reproducible as in PyTorch.
  static constexpr std::uint64_t default_seed = 67280421310721ULL;

  explicit Generator(std::uint64_t seed = default_seed) : engine_(seed) {}

  void seed(std::uint64_t s) {
    engine_.seed(s);
    has_spare_ = false;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform in [a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform01(); }

  /// Normal(mean, std) by the Box-Muller transform (one spare value kept).
  double normal(double mean = 0.0, double std = 1.0) {
    if (has_spare_) {
      has_spare_ = false;
      return mean + std * spare_;
    }
    double u1 = 0.0;
    while (u1 <= 0.0) u1 = uniform01();  // log(0) is -inf
    const double u2 = uniform01();
    const double r = std::sqrt(-2.0 * std::log(u1));
    constexpr double two_pi = 6.283185307179586476925286766559;
    spare_ = r * std::sin(two_pi * u2);
    has_spare_ = true;
    return mean + std * r * std::cos(two_pi * u2);
  }

  /// True with probability p.
  bool bernoulli(double p) { return uniform01() < p; }

  std::uint64_t next_u64() { return engine_(); }

  /// The whole state as text (torch.get_rng_state()); set_state() of it continues the same
  /// sequence. Training checkpoints store it, so that Dropout's masks resume exactly.
  std::string state() const {
    std::ostringstream os;
    os << engine_ << ' ' << has_spare_ << ' ' << std::bit_cast<std::uint64_t>(spare_);
    return os.str();
  }
  /// Restores a state() text; returns false and changes nothing when `text` is not one.
  bool set_state(const std::string& text) {
    std::istringstream is(text);
    detail::Mt19937_64 engine;
    bool has_spare = false;
    std::uint64_t spare_bits = 0;
    if (!(is >> engine >> has_spare >> spare_bits) || !(is >> std::ws).eof()) return false;
    engine_ = engine;
    has_spare_ = has_spare;
    spare_ = std::bit_cast<double>(spare_bits);
    return true;
  }

 private:
  detail::Mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// The generator layers draw from when constructed (per thread, like PyTorch's default
/// CPU generator per process).
inline Generator& default_generator() {
#if defined(__STDCPP_THREADS__)
  thread_local Generator g;
#else
  static Generator g;  // one thread (bare metal): thread_local would need the target's TLS support
#endif
  return g;
}

/// torch.manual_seed: reseeds this thread's default generator, so the models constructed
/// after it get the same parameters on every run.
inline void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

}  // namespace ctnn
