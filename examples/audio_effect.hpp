// The audio effect that examples/audio_effect.py defines, in C++ for the examples that train on
// it or measure against it: the same formula, computed in double, per sample at 48 kHz:
//   u = one-pole low-pass of x at 3 kHz, v = 0.7 * tanh(4 * u), y = one-pole low-pass of v at 8 kHz.
#pragma once

#include <cmath>
#include <numbers>

namespace audio {

inline constexpr double rate = 48000.0;

/// The coefficient a of y += a * (x - y), a one-pole low-pass at cutoff_hz.
inline double one_pole(double cutoff_hz) { return 1.0 - std::exp(-2.0 * std::numbers::pi * cutoff_hz / rate); }

/// The effect with its state (two filter memories); a fresh object starts from zero, as the script.
struct Effect {
  double a1 = one_pole(3000.0), a2 = one_pole(8000.0), drive = 4.0, level = 0.7;
  double u = 0, y = 0;
  float operator()(float x) {
    u += a1 * (x - u);
    const double v = level * std::tanh(drive * u);
    y += a2 * (v - y);
    return static_cast<float>(y);
  }
};

}  // namespace audio
