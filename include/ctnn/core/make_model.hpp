/// @file Defines ctnn::make_model and ctnn::stack_advice_bytes: where a large model should live.
///
/// A model holds its parameters and gradients inside the object (fixed-size Eigen matrices,
/// up to Eigen's 128 KiB per matrix; larger ones on the heap), and an optimizer holds its state
/// the same way. Declared as a local variable, the object is on the thread's stack: 8 MiB by
/// default on Linux, 1 MiB for a Windows thread, often 4 MiB or less for a secondary thread,
/// a few KiB on a microcontroller. 21 x Linear<128, 128> with Adam is 7 MB: a stack overflow,
/// which ends the program without a message. ctnn::summary prints the model's sizeof (and the
/// optimizer's) and advises the heap past stack_advice_bytes; make_model puts it there.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace ctnn {

/// Objects larger than this (256 KiB) belong on the heap: ctnn::summary says so in its footer.
inline constexpr std::size_t stack_advice_bytes = 256 * 1024;

/// A model (or optimizer) of type T built on the heap with its arguments, aligned as its Eigen
/// members need (C++17's aligned new): `auto net = ctnn::make_model<Net>();` then `*net`
/// wherever a model is expected (`ctnn::optim::Adam opt{*net, {}}`).
template <class T, class... Args>
std::unique_ptr<T> make_model(Args&&... args) {
  return std::make_unique<T>(std::forward<Args>(args)...);
}

}  // namespace ctnn
