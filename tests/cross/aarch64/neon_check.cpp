// Compiles only where Eigen and ctnn's kernels use NEON packets, so that the aarch64 unit tests
// cannot quietly run the scalar fallback.
#include <ctnn/detail/simd.hpp>

#if !defined(EIGEN_VECTORIZE_NEON)
#error "Eigen does not vectorise with NEON in this build"
#endif
static_assert(ctnn::detail::packet_size<float> == 4, "ctnn's kernels should see NEON packets of 4 floats");
static_assert(ctnn::detail::packet_size<double> == 2, "ctnn's kernels should see NEON packets of 2 doubles");
