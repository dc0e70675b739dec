/// @file Defines detail::stack_product: a matrix product through Eigen's GEMM whose packing
/// workspace stays on the stack.
///
/// Why: Eigen's GEMM packs blocks of both operands into a workspace it declares with
/// ei_declare_aligned_stack_constructed_variable, on the stack up to EIGEN_STACK_ALLOCATION_LIMIT
/// bytes and from the heap above it, once per product. Its blocks are at most the operands'
/// own sizes (rows x depth of the lhs, depth x cols of the rhs), so a product split into
/// pieces whose operands each fit the limit packs on the stack. A product that fits already
/// runs as one Eigen product, unchanged.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <algorithm>
#include <type_traits>

namespace ctnn::detail {

/// dst = lhs * rhs, or dst += lhs * rhs when Accumulate (no aliasing between dst and the
/// operands), as Eigen products of pieces whose lhs and rhs each fit Eigen's stack limit.
template <bool Accumulate, class D, class L, class R>
void stack_product(D&& dst, const L& lhs, const R& rhs) {
  using S = typename std::remove_cvref_t<D>::Scalar;
  constexpr Eigen::Index limit = static_cast<Eigen::Index>(EIGEN_STACK_ALLOCATION_LIMIT / sizeof(S));
  const Eigen::Index m = lhs.rows(), k = lhs.cols(), n = rhs.cols();
  if ((m * k <= limit && k * n <= limit) || k == 0) {
    if constexpr (Accumulate) {
      dst.noalias() += lhs * rhs;
    } else {
      dst.noalias() = lhs * rhs;
    }
    return;
  }
  // depth first (Eigen splits it in blocks of a few hundred itself), then rows and columns in
  // multiples of 16 (whole register tiles of Eigen's kernel)
  const Eigen::Index kc = std::min<Eigen::Index>(k, limit / 64);
  const Eigen::Index piece = std::max<Eigen::Index>(16, limit / kc / 16 * 16);
  const Eigen::Index mc = std::min(m, piece), nc = std::min(n, piece);
  for (Eigen::Index k0 = 0; k0 < k; k0 += kc) {
    const Eigen::Index kb = std::min(kc, k - k0);
    for (Eigen::Index j0 = 0; j0 < n; j0 += nc) {
      const Eigen::Index nb = std::min(nc, n - j0);
      for (Eigen::Index i0 = 0; i0 < m; i0 += mc) {
        const Eigen::Index mb = std::min(mc, m - i0);
        auto d = dst.block(i0, j0, mb, nb);
        const auto a = lhs.block(i0, k0, mb, kb);
        const auto b = rhs.block(k0, j0, kb, nb);
        if (Accumulate || k0 > 0) {
          d.noalias() += a * b;
        } else {
          d.noalias() = a * b;
        }
      }
    }
  }
}

}  // namespace ctnn::detail
