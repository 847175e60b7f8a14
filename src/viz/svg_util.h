// Small text helpers shared by the SVG pictures (charts, image grids, confusion matrix).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nn::viz {

// Text placed inside SVG/XML must not contain raw < > & " ' characters.
std::string xml_escape(const std::string& text);

// A coordinate or value for an SVG attribute: fixed decimals, trailing zeros dropped
// ("12.5", "3", "-0.25"), never "nan" or "inf" (those become "0").
std::string svg_number(double value, int decimals = 2);

// Base64 (RFC 4648, with '=' padding): how binary data (a PNG) travels inside text,
// e.g. an SVG <image href="data:image/png;base64,...">.
std::string base64(const std::vector<uint8_t>& bytes);

// The opening <svg ...> tag with a white background; close with "</svg>\n".
std::string svg_open(int width, int height);

// A rough width in pixels of `text` in a sans-serif font of `font_size` pixels, for
// making room (SVG cannot measure text before it is drawn).
double text_width(const std::string& text, double font_size);

}  // namespace nn::viz
