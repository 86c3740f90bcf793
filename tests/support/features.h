#pragma once
// What this build has, for tests of features a build may leave out (the
// GPU machine's has no OpenCV imgcodecs): such a test is skipped with
// `* doctest::skip(!test::kHaveImageIo)`, or checks the error instead.

namespace vidpred::test {

#ifdef VIDPRED_HAVE_IMAGE_IO
inline constexpr bool kHaveImageIo = true;
#else
inline constexpr bool kHaveImageIo = false;
#endif

// giflib, in the builds of the writers' tests (vidpred_writer_features says so).
#ifdef VIDPRED_HAVE_GIF
inline constexpr bool kHaveGif = true;
#else
inline constexpr bool kHaveGif = false;
#endif

}  // namespace vidpred::test
