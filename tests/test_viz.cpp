// Pictures: CRC-32 / Adler-32, the PNG encoder (checked by taking its output apart byte by
// byte), SVG charts, image grids and confusion matrices (checked for well-formed XML and
// expected content), terminal previews, and atomic file writes.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn.h"
#include "test_util.h"
#include "viz/adler32.h"
#include "viz/pixels.h"
#include "viz/svg_util.h"
#include "viz/ticks.h"

namespace fs = std::filesystem;
using nn::Tensor;

namespace {

// ---- independent reference implementations (the slow, obvious way) ----

uint32_t crc32_bitwise(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

uint32_t adler32_naive(const uint8_t* p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; ++i) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// ---- a PNG taken apart: every chunk's CRC, the zlib stream, the stored blocks ----

struct DecodedPng {
  uint32_t width = 0, height = 0;
  int bit_depth = 0, colour_type = -1;
  std::vector<std::string> chunk_types;
  std::vector<uint8_t> scanlines;  // the zlib payload: a filter byte + pixels per row
};

DecodedPng decode_png(const std::vector<uint8_t>& png) {
  DecodedPng out;
  const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  REQUIRE(png.size() >= 8);
  REQUIRE(std::memcmp(png.data(), signature, 8) == 0);
  std::vector<uint8_t> zlib;
  size_t pos = 8;
  while (pos < png.size()) {
    REQUIRE(png.size() - pos >= 12);
    const uint32_t len = be32(&png[pos]);
    REQUIRE(png.size() - pos - 12 >= len);
    const std::string type(reinterpret_cast<const char*>(&png[pos + 4]), 4);
    const uint8_t* data = &png[pos + 8];
    // The CRC covers the type and the data.
    CHECK_MESSAGE(be32(data + len) == crc32_bitwise(&png[pos + 4], 4 + len), "bad CRC in chunk " << type);
    out.chunk_types.push_back(type);
    if (type == "IHDR") {
      REQUIRE(len == 13);
      out.width = be32(data);
      out.height = be32(data + 4);
      out.bit_depth = data[8];
      out.colour_type = data[9];
      CHECK(data[10] == 0);  // compression
      CHECK(data[11] == 0);  // filter method
      CHECK(data[12] == 0);  // no interlace
    } else if (type == "IDAT") {
      zlib.insert(zlib.end(), data, data + len);
    }
    pos += 12 + len;
  }
  CHECK(pos == png.size());
  REQUIRE(!out.chunk_types.empty());
  CHECK(out.chunk_types.front() == "IHDR");
  CHECK(out.chunk_types.back() == "IEND");

  // zlib: CMF, FLG, deflate blocks, Adler-32 (big-endian) of the uncompressed bytes.
  REQUIRE(zlib.size() >= 2 + 5 + 4);
  CHECK((zlib[0] & 0x0F) == 8);                    // deflate
  CHECK((zlib[0] * 256 + zlib[1]) % 31 == 0);      // header check bits
  CHECK((zlib[1] & 0x20) == 0);                    // no preset dictionary
  size_t z = 2;
  bool final_block = false;
  while (!final_block) {
    REQUIRE(zlib.size() - z >= 5);
    const uint8_t header = zlib[z];
    final_block = header & 1;
    REQUIRE(((header >> 1) & 3) == 0);  // BTYPE 00: stored
    const uint32_t len = zlib[z + 1] | zlib[z + 2] << 8, nlen = zlib[z + 3] | zlib[z + 4] << 8;
    REQUIRE(len == (~nlen & 0xFFFFu));
    REQUIRE(zlib.size() - z - 5 >= len);
    out.scanlines.insert(out.scanlines.end(), &zlib[z + 5], &zlib[z + 5] + len);
    z += 5 + len;
  }
  REQUIRE(zlib.size() - z == 4);
  CHECK(be32(&zlib[z]) == adler32_naive(out.scanlines.data(), out.scanlines.size()));
  return out;
}

// The pixels back out of the scanlines (every filter byte must be 0: "none").
std::vector<uint8_t> unfilter(const DecodedPng& png, int channels) {
  const size_t row = size_t(png.width) * channels;
  REQUIRE(png.scanlines.size() == (row + 1) * png.height);
  std::vector<uint8_t> pixels;
  for (uint32_t y = 0; y < png.height; ++y) {
    CHECK(png.scanlines[y * (row + 1)] == 0);
    pixels.insert(pixels.end(), png.scanlines.begin() + y * (row + 1) + 1, png.scanlines.begin() + (y + 1) * (row + 1));
  }
  return pixels;
}

// ---- a small XML well-formedness check (tags balance, attributes quoted, entities valid) ----

bool valid_entity(const std::string& s, size_t at) {
  for (const char* e : {"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"})
    if (s.compare(at, std::strlen(e), e) == 0) return true;
  if (s.compare(at, 2, "&#") == 0) {
    size_t end = s.find(';', at);
    return end != std::string::npos && end > at + 2 && end - at < 10;
  }
  return false;
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' || c == '.'; }

// "" when well-formed, else what is wrong and where.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  bool root_done = false, root_seen = false;
  size_t i = 0;
  if (s.compare(0, 5, "<?xml") == 0) {
    i = s.find("?>");
    if (i == std::string::npos) return "unterminated XML declaration";
    i += 2;
  }
  auto where = [&](size_t at) { return " at " + std::to_string(at) + ": '" + s.substr(at, 40) + "'"; };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '<') {
      if (s.compare(i, 4, "<!--") == 0) {
        size_t end = s.find("-->", i);
        if (end == std::string::npos) return "unterminated comment";
        i = end + 3;
        continue;
      }
      const bool closing = i + 1 < s.size() && s[i + 1] == '/';
      size_t j = i + 1 + closing;
      const size_t name_start = j;
      while (j < s.size() && name_char(s[j])) ++j;
      const std::string name = s.substr(name_start, j - name_start);
      if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return "bad tag name" + where(i);
      if (closing) {
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
        if (j >= s.size() || s[j] != '>') return "bad closing tag" + where(i);
        if (open.empty() || open.back() != name) return "closing </" + name + "> does not match" + where(i);
        open.pop_back();
        if (open.empty()) root_done = true;
        i = j + 1;
        continue;
      }
      if (root_done) return "second root element" + where(i);
      root_seen = true;
      std::vector<std::string> attrs;
      while (true) {
        const size_t before = j;
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
        if (j >= s.size()) return "unterminated tag" + where(i);
        if (s[j] == '>') {
          open.push_back(name);
          ++j;
          break;
        }
        if (s.compare(j, 2, "/>") == 0) {
          if (open.empty()) root_done = true;
          j += 2;
          break;
        }
        if (j == before) return "attributes must be separated by spaces" + where(j);
        const size_t a = j;
        while (j < s.size() && name_char(s[j])) ++j;
        const std::string attr = s.substr(a, j - a);
        if (attr.empty() || j >= s.size() || s[j] != '=') return "bad attribute" + where(a);
        for (const std::string& seen : attrs)
          if (seen == attr) return "duplicate attribute " + attr + where(a);
        attrs.push_back(attr);
        ++j;
        if (j >= s.size() || (s[j] != '"' && s[j] != '\'')) return "unquoted attribute value" + where(a);
        const size_t end = s.find(s[j], j + 1);
        if (end == std::string::npos) return "unterminated attribute value" + where(a);
        for (size_t k = j + 1; k < end; ++k) {
          if (s[k] == '<') return "'<' inside an attribute value" + where(a);
          if (s[k] == '&' && !valid_entity(s, k)) return "bad entity in an attribute" + where(k);
        }
        j = end + 1;
      }
      i = j;
    } else {
      if (c == '&' && !valid_entity(s, i)) return "bad entity in text" + where(i);
      if (c == '>') return "raw '>' in text" + where(i);  // legal XML, but our escaper never leaves one
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) return "text outside the root element" + where(i);
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (!root_seen) return "no root element";
  return "";
}

std::vector<uint8_t> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<uint8_t> out;
  uint32_t bits = 0;
  int have = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = value(c);
    REQUIRE(v >= 0);
    bits = bits << 6 | uint32_t(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out.push_back(uint8_t(bits >> have));
    }
  }
  return out;
}


std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

// ======================================================================= checksums

TEST_CASE("crc32: the standard check value, chaining, and the bitwise definition") {
  const std::string check = "123456789";
  CHECK(nn::crc32(check.data(), check.size()) == 0xCBF43926u);
  CHECK(nn::crc32(nullptr, 0) == 0u);
  // Chained pieces give the same result as one call.
  uint32_t c = nn::crc32(check.data(), 4);
  c = nn::crc32(check.data() + 4, 5, c);
  CHECK(c == 0xCBF43926u);

  nn::Rng rng(7);
  for (int n : {1, 2, 3, 255, 256, 1000, 70000}) {
    std::vector<uint8_t> bytes(n);
    for (auto& b : bytes) b = uint8_t(rng.below(256));
    CHECK(nn::crc32(bytes.data(), bytes.size()) == crc32_bitwise(bytes.data(), bytes.size()));
  }
}

TEST_CASE("adler32: the known value and long inputs (past the 5552-byte block)") {
  const std::string w = "Wikipedia";
  CHECK(nn::viz::adler32(w.data(), w.size()) == 0x11E60398u);
  CHECK(nn::viz::adler32(nullptr, 0) == 1u);
  std::vector<uint8_t> bytes(100000, 0xFF);  // all 0xFF: the largest sums, the overflow risk
  CHECK(nn::viz::adler32(bytes.data(), bytes.size()) == adler32_naive(bytes.data(), bytes.size()));
  uint32_t a = nn::viz::adler32(bytes.data(), 12345);
  a = nn::viz::adler32(bytes.data() + 12345, bytes.size() - 12345, a);
  CHECK(a == adler32_naive(bytes.data(), bytes.size()));
}

// ======================================================================= PNG

TEST_CASE("png: byte structure and pixels of gray, RGB and alpha images") {
  nn::Rng rng(3);
  struct Case { int w, h, c, colour_type; };
  for (Case k : {Case{1, 1, 1, 0}, Case{5, 3, 1, 0}, Case{4, 7, 3, 2}, Case{3, 2, 4, 6}, Case{2, 2, 2, 4}}) {
    CAPTURE(k.w); CAPTURE(k.h); CAPTURE(k.c);
    std::vector<uint8_t> pixels(size_t(k.w) * k.h * k.c);
    for (auto& p : pixels) p = uint8_t(rng.below(256));
    const std::vector<uint8_t> png = nn::viz::encode_png(k.w, k.h, k.c, pixels.data());
    const DecodedPng d = decode_png(png);
    CHECK(d.width == uint32_t(k.w));
    CHECK(d.height == uint32_t(k.h));
    CHECK(d.bit_depth == 8);
    CHECK(d.colour_type == k.colour_type);
    CHECK(d.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    CHECK(unfilter(d, k.c) == pixels);
  }
}

TEST_CASE("png: images larger than one stored block (65535 bytes) split into several") {
  const int w = 300, h = 120, c = 3;  // 120 rows of 901 bytes = 108,120 bytes: two blocks
  std::vector<uint8_t> pixels(size_t(w) * h * c);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 31 + i / 7);
  const std::vector<uint8_t> png = nn::viz::encode_png(w, h, c, pixels.data());
  const DecodedPng d = decode_png(png);
  CHECK(unfilter(d, c) == pixels);
  // Two block headers: the first not final, the second final.
  const size_t idat = 8 + 25;                   // signature + IHDR chunk
  const uint8_t* z = png.data() + idat + 8;     // IDAT data
  CHECK(z[2] == 0);                             // first block: BFINAL = 0
  CHECK((z[3] | z[4] << 8) == 65535);
  CHECK(z[2 + 5 + 65535] == 1);                 // second block: BFINAL = 1
}

TEST_CASE("png: from a float tensor, with a value range, clamping and NaN") {
  Tensor img({2, 3, 1}, {0.0f, 0.5f, 1.0f, -3.0f, 7.0f, NAN});
  const DecodedPng d = decode_png(nn::viz::encode_png(img, 0.0f, 1.0f));
  CHECK(d.width == 3);
  CHECK(d.height == 2);
  CHECK(d.colour_type == 0);
  CHECK(unfilter(d, 1) == std::vector<uint8_t>{0, 128, 255, 0, 255, 0});

  Tensor rgb({1, 2, 2, 3});  // (1, H, W, C): one image sliced from a batch
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = float(i * 20);
  const DecodedPng d2 = decode_png(nn::viz::encode_png(rgb));
  CHECK(d2.colour_type == 2);
  CHECK(unfilter(d2, 3)[11] == 220);

  CHECK(decode_png(nn::viz::encode_png(Tensor({4, 5}))).width == 5);  // (H, W) is gray
  CHECK_THROWS_AS(nn::viz::encode_png(Tensor({2, 2, 5})), nn::ShapeError);
  CHECK_THROWS_AS(nn::viz::encode_png(Tensor({3, 2, 2, 3})), nn::ShapeError);
  CHECK_THROWS_AS(nn::viz::encode_png(Tensor({0, 2, 1})), nn::ShapeError);
  CHECK_THROWS_AS(nn::viz::encode_png(img, 1.0f, 1.0f), nn::ValueError);
  std::vector<uint8_t> px(4);
  CHECK_THROWS_AS(nn::viz::encode_png(0, 1, 1, px.data()), nn::ValueError);
  CHECK_THROWS_AS(nn::viz::encode_png(1, 1, 5, px.data()), nn::ValueError);
  CHECK_THROWS_AS(nn::viz::encode_png(1, 1, 1, nullptr), nn::ValueError);
}

TEST_CASE("files are written atomically into a created folder; failures name the path") {
  nn_test::TempDir tmp("viz");
  const fs::path file = tmp.path / "out" / "deeper" / "img.png";
  std::vector<uint8_t> px = {1, 2, 3, 4};
  nn::viz::write_png(file.string(), 2, 2, 1, px.data());
  REQUIRE(fs::exists(file));
  CHECK(!fs::exists(file.string() + ".tmp"));
  std::vector<uint8_t> on_disk = nn::read_file(file.string());
  CHECK(on_disk == nn::viz::encode_png(2, 2, 1, px.data()));

  // Overwriting replaces the whole file.
  nn::write_file_atomic(file.string(), std::string("x"));
  CHECK(read_text(file) == "x");

  // A parent that is a file: the folder cannot be created.
  const std::string bad = (file / "inside.png").string();
  try {
    nn::viz::write_png(bad, 2, 2, 1, px.data());
    FAIL("expected an IoError");
  } catch (const nn::IoError& e) {
    CHECK(std::string(e.what()).find(bad) != std::string::npos);
  }
  CHECK_THROWS_AS(nn::read_file((tmp.path / "missing").string()), nn::IoError);
  CHECK_THROWS_AS(nn::read_file(tmp.path.string()), nn::IoError);  // a folder
}

// ======================================================================= SVG

TEST_CASE("the XML checker used below rejects what it should") {
  CHECK(xml_problem("<svg><g></g></svg>") == "");
  CHECK(xml_problem("<svg a=\"1\" b='2'><t>x &amp; y</t></svg>") == "");
  CHECK(xml_problem("<svg><g></svg>") != "");
  CHECK(xml_problem("<svg><g></g>") != "");
  CHECK(xml_problem("<svg a=1></svg>") != "");
  CHECK(xml_problem("<svg a=\"1\" a=\"2\"></svg>") != "");
  CHECK(xml_problem("<svg>a & b</svg>") != "");
  CHECK(xml_problem("<svg a=\"<\"></svg>") != "");
  CHECK(xml_problem("<svg/><svg/>") != "");
}

TEST_CASE("nice ticks: readable steps that cover the data") {
  nn::viz::Axis a = nn::viz::linear_axis(0.31, 2.27);
  CHECK(a.lo == 0.0);
  CHECK(a.hi == doctest::Approx(2.5));
  CHECK(a.labels == std::vector<std::string>{"0", "0.5", "1", "1.5", "2", "2.5"});

  nn::Rng rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const double scale = std::pow(10.0, double(rng.below(13)) - 6);
    double lo = (rng.uniform(0, 1) - 0.5) * scale * 10, hi = lo + rng.uniform(0, 1) * scale;
    CAPTURE(lo); CAPTURE(hi);
    nn::viz::Axis ax = nn::viz::linear_axis(lo, hi);
    REQUIRE(ax.ticks.size() >= 2);
    CHECK(ax.ticks.size() <= 12);
    CHECK(ax.lo <= lo);
    CHECK(ax.hi >= hi);
    CHECK(ax.ticks.size() == ax.labels.size());
    const double step = ax.ticks[1] - ax.ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    CHECK((std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6));
    for (size_t i = 1; i < ax.labels.size(); ++i) CHECK(ax.labels[i] != ax.labels[i - 1]);
  }
  // A flat line still gets a range; user limits are kept exactly.
  nn::viz::Axis flat = nn::viz::linear_axis(3, 3);
  CHECK(flat.lo < 3);
  CHECK(flat.hi > 3);
  nn::viz::Axis exact = nn::viz::linear_axis(0.13, 0.87, true);
  CHECK(exact.lo == 0.13);
  CHECK(exact.hi == 0.87);

  // Whole-number ticks (epochs): 3 epochs get 1, 2, 3, not 1.5 and 2.5; 1 epoch gets 0, 1, 2.
  CHECK(nn::viz::linear_axis(1, 3).labels == std::vector<std::string>{"1", "1.5", "2", "2.5", "3"});
  CHECK(nn::viz::linear_axis(1, 3, false, true).labels == std::vector<std::string>{"1", "2", "3"});
  CHECK(nn::viz::linear_axis(1, 1, false, true).labels == std::vector<std::string>{"0", "1", "2"});
  CHECK(nn::viz::linear_axis(1, 40, false, true).labels == std::vector<std::string>{"0", "10", "20", "30", "40"});

  nn::viz::Axis lg = nn::viz::log_axis(0.003, 2.0);
  CHECK(lg.lo == doctest::Approx(0.001));
  CHECK(lg.hi == doctest::Approx(10));
  CHECK(lg.labels.front() == "0.001");
  CHECK(lg.labels.back() == "10");
  CHECK_THROWS_AS(nn::viz::log_axis(0, 1), nn::ValueError);
  CHECK(nn::viz::log_axis(1e-30, 1e30).ticks.size() <= 12);
}

TEST_CASE("line chart: well-formed SVG with series, legend, ticks, labels and title") {
  nn::viz::LineChart chart("Loss <per> epoch");
  chart.x_label("epoch").y_label("loss");
  chart.add_series("train & test", std::vector<float>{2.3f, 1.1f, 0.7f, 0.5f});
  chart.add_series("val_loss", std::vector<double>{1, 2, 3, 4}, std::vector<double>{2.4, 1.4, 1.0, 0.9}, {.dashed = true});
  const std::string svg = chart.to_svg();
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "<path class=\"series\"") == 2);
  CHECK(count(svg, "class=\"legend-label\"") == 2);
  CHECK(svg.find(">train &amp; test</text>") != std::string::npos);
  CHECK(svg.find(">val_loss</text>") != std::string::npos);
  CHECK(svg.find("Loss &lt;per&gt; epoch") != std::string::npos);
  CHECK(svg.find(">epoch</text>") != std::string::npos);
  CHECK(svg.find(">loss</text>") != std::string::npos);
  CHECK(svg.find("stroke-dasharray") != std::string::npos);
  CHECK(count(svg, "class=\"tick-label\"") >= 6);
  CHECK(svg.find(">2.5</text>") != std::string::npos);  // y axis 0 .. 2.5
  CHECK(svg.find("nan") == std::string::npos);
  CHECK_THROWS_AS(chart.add_series("bad", std::vector<double>{1, 2}, std::vector<double>{1}), nn::ShapeError);
}

TEST_CASE("line chart: NaN and inf break the line, empty series and empty charts work") {
  nn::viz::LineChart chart("diverging");
  chart.add_series("loss", std::vector<double>{1.0, 0.8, NAN, 0.7, 0.6, INFINITY, 0.5, NAN});
  chart.add_series("nothing", std::vector<double>{});
  chart.add_series("all missing", std::vector<double>{NAN, NAN});
  std::string svg = chart.to_svg();
  CHECK(xml_problem(svg) == "");
  // Three runs: (1.0, 0.8), (0.7, 0.6), and the lone 0.5 (drawn as a dot).
  const size_t path_at = svg.find("data-name=\"loss\"");
  REQUIRE(path_at != std::string::npos);
  const std::string path = svg.substr(path_at, svg.find("/>", path_at) - path_at);
  CHECK(count(path, "M") == 3);
  CHECK(count(svg, "<circle") == 1);
  CHECK(svg.find("nothing (no data)") != std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);

  CHECK(xml_problem(nn::viz::LineChart().to_svg()) == "");
  CHECK(xml_problem(nn::viz::LineChart("flat").add_series("c", std::vector<double>{2, 2, 2}).to_svg()) == "");
}

TEST_CASE("scatter plot: series with {.line = false} are dots only, one per usable point, with a dot in the legend") {
  nn::viz::LineChart chart("latent space");
  chart.add_series("class 0", std::vector<double>{0, 1, 2}, std::vector<double>{1, NAN, 3}, {.line = false});
  chart.add_series("class 1", std::vector<double>{-1, 5}, std::vector<double>{2, 2}, {.color = "#123456", .line = false});
  chart.add_series("a line", std::vector<double>{0, 5}, std::vector<double>{0, 4});
  const std::string svg = chart.to_svg();
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "<path class=\"series\"") == 1);  // only the line series has a path
  CHECK(count(svg, "<g class=\"series\"") == 2);
  const size_t c0 = svg.find("data-name=\"class 0\""), c1 = svg.find("data-name=\"class 1\"");
  REQUIRE(c0 != std::string::npos);
  REQUIRE(c1 != std::string::npos);
  CHECK(count(svg.substr(c0, c1 - c0), "<circle") == 2);  // the NaN point is skipped
  CHECK(count(svg.substr(c1, svg.find("</g>", c1) - c1), "<circle") == 2);
  CHECK(svg.find("fill=\"#123456\"") != std::string::npos);  // its dots and its legend dot
  CHECK(count(svg, "class=\"legend-label\"") == 3);
  const std::string legend = svg.substr(svg.find("<g class=\"legend\""));
  CHECK(count(legend.substr(0, legend.find("</g>")), "<line x1") == 1);  // a line only for the line series
}

TEST_CASE("line chart: log scale skips values <= 0; limits clip") {
  nn::viz::LineChart chart("log");
  chart.log_y().add_series("loss", std::vector<double>{10, 1, 0.1, 0, -1, 0.01});
  const std::string svg = chart.to_svg();
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find(">0.01</text>") != std::string::npos);
  CHECK(svg.find(">10</text>") != std::string::npos);
  CHECK(svg.find("log scale") != std::string::npos);

  nn::viz::LineChart limited;
  limited.y_limits(0, 1).x_limits(0, 10).add_series("s", std::vector<double>{-5, 0.5, 50});
  CHECK(xml_problem(limited.to_svg()) == "");
  CHECK(limited.to_svg().find("clip-path=\"url(#plot-area)\"") != std::string::npos);
  CHECK_THROWS_AS(limited.y_limits(1, 0), nn::ValueError);
  CHECK_THROWS_AS(nn::viz::LineChart().log_y().y_limits(0, 1).to_svg(), nn::ValueError);

  nn_test::TempDir tmp("viz");
  chart.save((tmp.path / "out" / "loss.svg").string());
  CHECK(read_text(tmp.path / "out" / "loss.svg") == svg);
}

TEST_CASE("image grid: captions under each image, images embedded as PNG") {
  nn::viz::ImageGrid grid({.columns = 5, .scale = 3, .lo = 0.0f, .hi = 1.0f, .title = "Predictions"});
  for (int i = 0; i < 10; ++i) {
    Tensor img({4, 6, 1});
    img[size_t(i) % img.size()] = 1.0f;  // one white pixel, in a different place each time
    grid.add(img, "pred = " + std::to_string(i) + "\nact = <" + std::to_string(9 - i) + ">", i % 2 ? "#c00" : "");
  }
  CHECK(grid.size() == 10);
  const std::string svg = grid.to_svg();
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "<image ") == 10);
  CHECK(count(svg, "class=\"caption\"") == 20);
  CHECK(svg.find(">pred = 7</text>") != std::string::npos);
  CHECK(svg.find(">act = &lt;2&gt;</text>") != std::string::npos);
  CHECK(count(svg, "image-rendering:pixelated") == 10);
  CHECK(count(svg, "width=\"18\" height=\"12\"") == 10);  // 6x4 pixels at scale 3
  CHECK(svg.find(">Predictions</text>") != std::string::npos);

  // The fourth image: decode its data URI and check its pixels.
  size_t at = 0;
  for (int i = 0; i < 4; ++i) at = svg.find("base64,", at) + 7;
  const std::string b64 = svg.substr(at, svg.find('"', at) - at);
  const DecodedPng d = decode_png(base64_decode(b64));
  CHECK(d.width == 6);
  CHECK(d.height == 4);
  std::vector<uint8_t> expected(24, 0);
  expected[3] = 255;
  CHECK(unfilter(d, 1) == expected);

  CHECK(xml_problem(nn::viz::ImageGrid().to_svg()) == "");
  CHECK_THROWS_AS(nn::viz::ImageGrid({.columns = 0}), nn::ValueError);
}

TEST_CASE("base64 matches RFC 4648's examples") {
  auto b64 = [](const std::string& s) { return nn::viz::base64(std::vector<uint8_t>(s.begin(), s.end())); };
  CHECK(b64("") == "");
  CHECK(b64("f") == "Zg==");
  CHECK(b64("fo") == "Zm8=");
  CHECK(b64("foo") == "Zm9v");
  CHECK(b64("foob") == "Zm9vYg==");
  CHECK(b64("fooba") == "Zm9vYmE=");
  CHECK(b64("foobar") == "Zm9vYmFy");
}

TEST_CASE("confusion matrix: counts from ids or probabilities, and its picture") {
  Tensor actual({6}, {0, 1, 2, 2, 1, 0});
  Tensor predicted_ids({6}, {0, 2, 2, 2, 1, 1});
  Tensor counts = nn::viz::confusion_matrix(actual, predicted_ids, 3);
  CHECK(counts.shape() == nn::Shape{3, 3});
  CHECK(std::vector<float>(counts.begin(), counts.end()) == std::vector<float>{1, 1, 0, 0, 1, 1, 0, 0, 2});
  // The same predictions as probability rows, and the actual labels one-hot.
  Tensor probs({6, 3}, {.8f, .1f, .1f, .1f, .2f, .7f, 0, 0, 1, .3f, .3f, .4f, .1f, .8f, .1f, .4f, .5f, .1f});
  Tensor onehot = nn::data::to_categorical(actual, 3);
  Tensor counts2 = nn::viz::confusion_matrix(onehot, probs, 3);
  CHECK(std::vector<float>(counts2.begin(), counts2.end()) == std::vector<float>(counts.begin(), counts.end()));

  CHECK_THROWS_AS(nn::viz::confusion_matrix(Tensor({2}, {0, 3}), Tensor({2}, {0, 1}), 3), nn::ValueError);
  CHECK_THROWS_AS(nn::viz::confusion_matrix(Tensor({2}, {0, 1.5f}), Tensor({2}, {0, 1}), 3), nn::ValueError);
  CHECK_THROWS_AS(nn::viz::confusion_matrix(actual, Tensor({5}), 3), nn::ShapeError);
  CHECK_THROWS_AS(nn::viz::confusion_matrix(actual, Tensor({6, 4}), 3), nn::ShapeError);

  const std::string svg = nn::viz::confusion_matrix_svg(counts, {"T-shirt/top", "Trouser", "Bag & co"});
  CHECK(xml_problem(svg) == "");
  CHECK(count(svg, "class=\"cell\"") == 9);
  CHECK(count(svg, ">Trouser</text>") == 2);  // row and column
  CHECK(svg.find("Bag &amp; co") != std::string::npos);
  CHECK(svg.find("accuracy 0.6667 (4 of 6)") != std::string::npos);
  CHECK_THROWS_AS(nn::viz::confusion_matrix_svg(counts, {"a", "b"}), nn::ShapeError);
  CHECK(xml_problem(nn::viz::confusion_matrix_svg(Tensor({2, 2}))) == "");  // all zero
}

// ======================================================================= terminal

TEST_CASE("terminal image: two pixel rows per line in 24-bit colour") {
  Tensor img({4, 3});  // gray, H = 4, W = 3
  for (size_t i = 0; i < img.size(); ++i) img[i] = float(i * 20);
  const std::string out = nn::viz::terminal_image(img);
  CHECK(count(out, "\n") == 2);
  CHECK(count(out, "\u2580") == 6);
  CHECK(count(out, "\x1b[0m\n") == 2);
  // First cell: top pixel 0 in the foreground, the pixel below it (60) in the background.
  CHECK(out.rfind("\x1b[38;2;0;0;0m\x1b[48;2;60;60;60m\u2580", 0) == 0);

  // An odd height: the last line has foreground only, the default background.
  Tensor rgb({3, 2, 3}, 255.0f);
  const std::string odd = nn::viz::terminal_image(rgb);
  CHECK(count(odd, "\n") == 2);
  CHECK(count(odd, "\x1b[49m") == 2);
  CHECK(odd.find("38;2;255;255;255") != std::string::npos);

  // Shrinking to a width keeps the aspect ratio and averages pixels.
  Tensor big({28, 28, 1}, 1.0f);
  const std::string small = nn::viz::terminal_image(big, {.width = 14, .lo = 0.0f, .hi = 1.0f});
  CHECK(count(small, "\n") == 7);
  CHECK(count(small, "\u2580") == 7 * 14);
  CHECK(small.find("38;2;255;255;255") != std::string::npos);
  CHECK_THROWS_AS(nn::viz::terminal_image(Tensor({5})), nn::ShapeError);
}

TEST_CASE("text image: the same picture in plain characters, for logs and pipes") {
  Tensor img({4, 3});  // gray, H = 4, W = 3: rows 0..3 of 0, 60, 120, 180 (plus 20 per column)
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) img[r * 3 + c] = float(r * 60 + c * 20);
  const std::string out = nn::viz::text_image(img);
  // Two lines of three characters; each averages two rows: (0 + 60) / 2 = 30 -> '.', ...
  CHECK(out == "..:\n+*#\n");
  CHECK(out.find('\x1b') == std::string::npos);
  // Black is a space, white '@'; an odd last row stands alone.
  CHECK(nn::viz::text_image(Tensor({3, 2, 3}, 255.0f)) == "@@\n@@\n");
  CHECK(nn::viz::text_image(Tensor({1, 2})) == "  \n");
  // Shrinking works as for terminal_image: the same number of lines.
  Tensor big({28, 28, 1}, 1.0f);
  const std::string small = nn::viz::text_image(big, {.width = 14, .lo = 0.0f, .hi = 1.0f});
  CHECK(count(small, "\n") == 7);
  CHECK(small.substr(0, 15) == std::string(14, '@') + "\n");
  CHECK_THROWS_AS(nn::viz::text_image(Tensor({5})), nn::ShapeError);
  CHECK_THROWS_AS(nn::viz::text_image(img, {.width = -1}), nn::ValueError);
}

TEST_CASE("sparkline: one bar per value, scaled from min to max") {
  CHECK(nn::viz::sparkline({1, 2, 3, 4, 5, 6, 7, 8}) == "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
  CHECK(nn::viz::sparkline({}) == "");
  CHECK(nn::viz::sparkline({5, NAN, 1}) == "\u2588 \u2581");
  CHECK(nn::viz::sparkline({2, 2}) == "\u2584\u2584");
  std::vector<float> many(100);
  for (int i = 0; i < 100; ++i) many[i] = float(100 - i);
  const std::string s = nn::viz::sparkline(many, 10);
  CHECK(s.size() == 10 * std::string("\u2581").size());
  CHECK(s.rfind("\u2588", 0) == 0);  // starts high, ends low
}
