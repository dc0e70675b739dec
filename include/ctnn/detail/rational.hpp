// Eigen 3.4's rational tanh and logistic for float, with Eigen's coefficients, clamps and
// special cases, but their polynomials evaluated by Estrin's scheme instead of Horner's.
//
// Why: a recurrent layer's streaming step waits on its gates (sigmoid, then tanh, then the new
// state) before the next step's product can start. Horner's rule makes each polynomial a chain
// of dependent multiply-adds (tanh's numerator 6, logistic's denominator 5); Estrin's takes 3.
// The functions are the same rational functions; the results differ from Eigen's in the last
// bits only (rounding of a different order of operations). Double goes through Eigen.
#pragma once

#include <type_traits>

#include <Eigen/Core>

namespace ctnn::detail {

/// tanh(x) for float, Eigen's generic_fast_tanh_float evaluated by Estrin's scheme.
struct estrin_tanh_op {
  template <class P>
  EIGEN_STRONG_INLINE P packetOp(const P& a_x) const {
    using namespace Eigen::internal;
#ifdef EIGEN_VECTORIZE_FMA
    const P clamp = pset1<P>(7.99881172180175781f);
#else
    const P clamp = pset1<P>(7.90531110763549805f);
#endif
    const P x = pmax(pmin(a_x, clamp), pnegate(clamp));
    const P tiny_mask = pcmp_lt(pabs(a_x), pset1<P>(0.0004f));
    const P y = pmul(x, x);
    const P y2 = pmul(y, y);
    const P y4 = pmul(y2, y2);
    // numerator a1 + a3 y + ... + a13 y^6 (odd in x: times x below)
    const P e0 = pmadd(y, pset1<P>(6.37261928875436e-04f), pset1<P>(4.89352455891786e-03f));
    const P e1 = pmadd(y, pset1<P>(5.12229709037114e-08f), pset1<P>(1.48572235717979e-05f));
    const P e2 = pmadd(y, pset1<P>(2.00018790482477e-13f), pset1<P>(-8.60467152213735e-11f));
    const P f0 = pmadd(y2, e1, e0);
    const P f1 = pmadd(y2, pset1<P>(-2.76076847742355e-16f), e2);
    const P p = pmul(x, pmadd(y4, f1, f0));
    // denominator b0 + b2 y + b4 y^2 + b6 y^3
    const P q0 = pmadd(y, pset1<P>(2.26843463243900e-03f), pset1<P>(4.89352518554385e-03f));
    const P q1 = pmadd(y, pset1<P>(1.19825839466702e-06f), pset1<P>(1.18534705686654e-04f));
    const P q = pmadd(y2, q1, q0);
    // From the clamp on, Horner's order gives exactly +-1 (Eigen chose the clamp so), Estrin's
    // 1 - 4e-7: saturate as Eigen's (and PyTorch's tanh(100) == 1).
    const P saturated = pcmp_le(clamp, pabs(a_x));
    const P one = por(pset1<P>(1.0f), pand(a_x, pset1<P>(-0.0f)));  // copysign(1, x)
    return pselect(tiny_mask, x, pselect(saturated, one, pdiv(p, q)));
  }
  EIGEN_STRONG_INLINE float operator()(const float& x) const { return packetOp(x); }
};

/// 1 / (1 + exp(-x)) for float, Eigen's scalar_logistic_op<float> evaluated by Estrin's scheme
/// (below -9 it is exp(x), as Eigen's).
struct estrin_logistic_op {
  template <class P>
  EIGEN_STRONG_INLINE P packetOp(const P& a_x) const {
    using namespace Eigen::internal;
    const P lt_mask = pcmp_lt<P>(a_x, pset1<P>(-9.f));
    const bool any_small = predux_any(lt_mask);
#ifdef EIGEN_VECTORIZE_FMA
    const P cutoff_upper = pset1<P>(15.7243833541870117f);
#else
    const P cutoff_upper = pset1<P>(15.6437711715698242f);
#endif
    const P x = pmin(a_x, cutoff_upper);
    const P y = pmul(x, x);
    const P y2 = pmul(y, y);
    // numerator a1 + a3 y + a5 y^2 + a7 y^3 + a9 y^4 (odd in x: times x below)
    const P e0 = pmadd(y, pset1<P>(8.51377133304701e-03f), pset1<P>(2.48287947061529e-01f));
    const P e1 = pmadd(y, pset1<P>(1.15627324459942e-07f), pset1<P>(6.08574864600143e-05f));
    const P p = pmul(x, pmadd(y2, pmadd(y2, pset1<P>(4.37031012579801e-11f), e1), e0));
    // denominator b0 + b2 y + ... + b10 y^5
    const P q0 = pmadd(y, pset1<P>(1.16817656904453e-01f), pset1<P>(9.93151921023180e-01f));
    const P q1 = pmadd(y, pset1<P>(6.29106785017040e-06f), pset1<P>(1.70198817374094e-03f));
    const P q2 = pmadd(y, pset1<P>(6.10247389755681e-13f), pset1<P>(5.76102136993427e-09f));
    const P q = pmadd(y2, pmadd(y2, q2, q1), q0);
    // 1 from the cut-off on, where Horner's order gives exactly 1 (Eigen chose the cut-off so)
    const P logistic = pselect(pcmp_le(cutoff_upper, a_x), pset1<P>(1.0f), padd(pdiv(p, q), pset1<P>(0.5f)));
    if (EIGEN_PREDICT_FALSE(any_small)) return pselect(lt_mask, pexp(a_x), logistic);
    return logistic;
  }
  EIGEN_STRONG_INLINE float operator()(const float& x) const { return packetOp(x); }
};

/// tanh of an Eigen array expression: Estrin's evaluation in float where Estrin is true,
/// Eigen's tanh() otherwise.
template <bool Estrin = true, class A>
EIGEN_STRONG_INLINE auto rational_tanh(const Eigen::ArrayBase<A>& a) {
  if constexpr (Estrin && std::is_same_v<typename A::Scalar, float>) {
    return a.unaryExpr(estrin_tanh_op{});
  } else {
    return a.tanh();
  }
}

/// The logistic function of an Eigen array expression: Estrin's evaluation in float where
/// Estrin is true, Eigen's logistic() otherwise.
template <bool Estrin = true, class A>
EIGEN_STRONG_INLINE auto rational_logistic(const Eigen::ArrayBase<A>& a) {
  if constexpr (Estrin && std::is_same_v<typename A::Scalar, float>) {
    return a.unaryExpr(estrin_logistic_op{});
  } else {
    return a.logistic();
  }
}

}  // namespace ctnn::detail

template <>
struct Eigen::internal::functor_traits<ctnn::detail::estrin_tanh_op> {
  enum { Cost = 40, PacketAccess = true };
};
template <>
struct Eigen::internal::functor_traits<ctnn::detail::estrin_logistic_op> {
  enum { Cost = 40, PacketAccess = true };
};
