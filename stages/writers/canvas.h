#pragma once
// Drawing pieces shared by the image writers: frames as OpenCV images, text
// fitted into boxes, borders, stacking. Images are RGB throughout (as frames
// arrive); the conversion to OpenCV's BGR happens only where a file is encoded.
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "stages/writers/writer.h"

namespace vidpred::stages::canvas {

// Layout sizes, in pixels; the tests compute expected image sizes from them.
inline constexpr int kTextRowHeight = 18;  // a row of labels or a caption
inline constexpr int kGap = 2;             // between the cells of a grid
inline constexpr int kRowLabelWidth = 72;  // the row names left of a grid

// Colours (RGB). Green and red follow the video-prediction papers: observed
// context frames green, the model's predictions red.
inline const cv::Scalar kBackground(255, 255, 255);
inline const cv::Scalar kText(20, 20, 20);
inline const cv::Scalar kObserved(0, 170, 0);
inline const cv::Scalar kPredicted(220, 20, 20);
inline const cv::Scalar kFutureTruth(150, 150, 150);  // ground truth after the context

enum class Align { left, centre, right };

// A copy of frame t as an RGB image (the last frame when t is past the end, so
// a shorter prediction still fills its panel).
cv::Mat frame_image(const Video& video, int t);

// Each pixel becomes a scale x scale block: frames are tiny and blurring them
// would hide exactly what one wants to see.
cv::Mat enlarge(const cv::Mat& image, int scale);

// A border drawn inside the image, so that its size does not change.
void draw_border(cv::Mat& image, const cv::Scalar& colour, int thickness);

// Draws `text` in `box`, vertically centred, shrinking the font until it fits.
void put_text(cv::Mat& image, const std::string& text, const cv::Rect& box, const cv::Scalar& colour,
              Align align = Align::centre, double font_scale = 0.42);

// A row of background colour holding one centred text.
cv::Mat text_row(const std::string& text, int width, int height = kTextRowHeight,
                 const cv::Scalar& colour = kText);

// Side by side / one above the other, `gap` background pixels apart; images
// of different sizes are aligned top-left and padded with background.
cv::Mat hstack(const std::vector<cv::Mat>& images, int gap = 0);
cv::Mat vstack(const std::vector<cv::Mat>& images, int gap = 0);

#ifdef VIDPRED_HAVE_IMAGE_IO
// PNG bytes of an RGB image; an encoder failure is an Error naming `file`.
std::string encode_png(const cv::Mat& rgb, const std::filesystem::path& file);
#endif

}  // namespace vidpred::stages::canvas
