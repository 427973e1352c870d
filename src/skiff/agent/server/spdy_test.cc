#include "skiff/agent/server/spdy.h"

#include <zlib.h>

#include "gtest/gtest.h"

namespace skiff::agent::server {
namespace {

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::vector<SpdyFrame> DecodeAll(SpdyDecoder& d) {
  std::vector<SpdyFrame> frames;
  while (auto f = d.Next()) frames.push_back(std::move(*f));
  return frames;
}

TEST(SpdyDictionaryTest, IsTheSpecsDictionary) {
  std::string_view d = SpdyHeaderDictionary();
  ASSERT_EQ(d.size(), 1423u);
  EXPECT_EQ(d.substr(0, 11), std::string_view("\0\0\0\x07options", 11));
  EXPECT_EQ(d.substr(d.size() - 6), "enq=0.");
  // The dictionary ID every SPDY/3 peer puts in its zlib header.
  EXPECT_EQ(adler32(1, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size())),
            0xe3c6a7c2u);
}

TEST(SpdyFrameTest, ExactBytesOfFixedFrames) {
  SpdyEncoder e;
  struct Case {
    SpdyFrame frame;
    std::string hex;
  } cases[] = {
      {SpdyFrame::Ping(1), "800300060000000400000001"},
      {SpdyFrame::RstStream(3, kSpdyCancel), "80030003000000080000000300000005"},
      {SpdyFrame::GoAway(7, kSpdyGoAwayOk), "80030007000000080000000700000000"},
      {SpdyFrame::WindowUpdate(5, 65536), "80030009000000080000000500010000"},
      {SpdyFrame::WindowUpdate(0, 1024), "80030009000000080000000000000400"},
      {SpdyFrame::Data(5, "hi", true), "00000005010000026869"},
      {SpdyFrame::Data(1, ""), "0000000100000000"},
  };
  for (auto& c : cases) {
    std::string bytes = e.Encode(c.frame);
    EXPECT_EQ(Hex(bytes), c.hex);
    SpdyDecoder d;
    d.Feed(bytes);
    auto f = d.Next();
    ASSERT_TRUE(f.has_value()) << c.hex << ": " << d.error();
    EXPECT_EQ(f->type, c.frame.type);
    EXPECT_EQ(f->stream_id, c.frame.stream_id);
    EXPECT_EQ(f->status, c.frame.status);
    EXPECT_EQ(f->value, c.frame.value);
    EXPECT_EQ(f->data, c.frame.data);
    EXPECT_EQ(f->flags, c.frame.flags);
    EXPECT_EQ(d.buffered(), 0u);
  }
  SpdyFrame settings;
  settings.type = SpdyType::kSettings;
  settings.settings = {{0, kSpdySettingsInitialWindowSize, 1 << 20},
                       {1, kSpdySettingsMaxConcurrentStreams, 100}};
  std::string bytes = e.Encode(settings);
  EXPECT_EQ(Hex(bytes),
            "800300040000001400000002000000070010000001000004"
            "00000064");
  SpdyDecoder d;
  d.Feed(bytes);
  auto f = d.Next();
  ASSERT_TRUE(f.has_value()) << d.error();
  ASSERT_EQ(f->settings.size(), 2u);
  EXPECT_EQ(f->settings[0].id, kSpdySettingsInitialWindowSize);
  EXPECT_EQ(f->settings[0].value, 1u << 20);
  EXPECT_EQ(f->settings[1].flags, 1);
  EXPECT_EQ(f->settings[1].value, 100u);
}

TEST(SpdyHeaderBlockTest, ExactBytesAndRoundTrip) {
  std::string block = EncodeSpdyHeaderBlock({{"streamtype", "error"}});
  EXPECT_EQ(Hex(block),
            "000000010000000a73747265616d7479706500000005"
            "6572726f72");
  SpdyHeaders h = {{"StreamType", "stdin"}, {"x", std::string("a\0b", 3)}, {"empty", ""}};
  auto back = DecodeSpdyHeaderBlock(EncodeSpdyHeaderBlock(h));
  ASSERT_TRUE(back.ok()) << back.status();
  SpdyHeaders want = {{"streamtype", "stdin"}, {"x", std::string("a\0b", 3)}, {"empty", ""}};
  EXPECT_EQ(*back, want);
  EXPECT_FALSE(DecodeSpdyHeaderBlock(block.substr(0, block.size() - 1)).ok());
  EXPECT_FALSE(DecodeSpdyHeaderBlock(block + "x").ok());
  EXPECT_FALSE(DecodeSpdyHeaderBlock(Unhex("7fffffff")).ok());
  EXPECT_FALSE(DecodeSpdyHeaderBlock("").ok());
}

// Plain zlib with the dictionary, written here apart from the classes under test.
std::string ZlibDeflate(z_stream& z, std::string_view in) {
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out(in.size() + 1024, '\0');
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out);
  return out;
}

std::string ZlibInflate(z_stream& z, std::string_view in) {
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out(64 * 1024, '\0');
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_SYNC_FLUSH);
  if (rc == Z_NEED_DICT) {
    std::string_view d = SpdyHeaderDictionary();
    EXPECT_EQ(inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(d.data()),
                                   static_cast<uInt>(d.size())),
              Z_OK);
    rc = inflate(&z, Z_SYNC_FLUSH);
  }
  EXPECT_EQ(rc, Z_OK);
  EXPECT_EQ(z.avail_in, 0u);
  out.resize(out.size() - z.avail_out);
  return out;
}

TEST(SpdyHeaderCompressionTest, SharedStreamBothWays) {
  std::vector<std::string> blocks = {
      EncodeSpdyHeaderBlock({{"streamtype", "error"}}),
      EncodeSpdyHeaderBlock({{"streamtype", "stdout"}}),
      EncodeSpdyHeaderBlock({}),
      EncodeSpdyHeaderBlock({{"content-type", "text/plain"}, {"x-big", std::string(20000, 'q')}}),
  };
  std::string_view dict = SpdyHeaderDictionary();

  // Ours out, plain zlib in: one stream across the blocks, primed with the dictionary.
  SpdyHeaderDeflater deflater;
  z_stream in{};
  ASSERT_EQ(inflateInit(&in), Z_OK);
  std::vector<std::string> compressed;
  for (const auto& b : blocks) {
    compressed.push_back(deflater.Compress(b));
    EXPECT_EQ(ZlibInflate(in, compressed.back()), b);
  }
  inflateEnd(&in);
  // The first block opens the zlib stream and names the dictionary; later ones reuse it and
  // shrink for repeated names.
  EXPECT_EQ(Hex(compressed[0].substr(2, 4)), "e3c6a7c2");
  EXPECT_LT(compressed[1].size(), compressed[0].size());
  // Each block ends at a sync flush: the empty stored block.
  for (const auto& c : compressed) EXPECT_EQ(Hex(c.substr(c.size() - 4)), "0000ffff");

  // Plain zlib out, ours in.
  z_stream out{};
  ASSERT_EQ(deflateInit(&out, Z_BEST_COMPRESSION), Z_OK);
  ASSERT_EQ(deflateSetDictionary(&out, reinterpret_cast<const Bytef*>(dict.data()),
                                 static_cast<uInt>(dict.size())),
            Z_OK);
  SpdyHeaderInflater inflater;
  for (const auto& b : blocks) {
    auto got = inflater.Decompress(ZlibDeflate(out, b));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, b);
  }
  deflateEnd(&out);

  // Ours both ways.
  SpdyHeaderInflater ours;
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto got = ours.Decompress(compressed[i]);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, blocks[i]);
  }
  // A block out of its stream does not inflate on its own, and the stream stays broken.
  SpdyHeaderInflater fresh;
  EXPECT_FALSE(fresh.Decompress(compressed[1]).ok());
  EXPECT_FALSE(fresh.Decompress(compressed[0]).ok());
}

TEST(SpdyHeaderCompressionTest, RefusesAnotherDictionaryAndBombs) {
  z_stream out{};
  ASSERT_EQ(deflateInit(&out, Z_DEFAULT_COMPRESSION), Z_OK);
  std::string other = "not the spdy dictionary";
  ASSERT_EQ(deflateSetDictionary(&out, reinterpret_cast<const Bytef*>(other.data()),
                                 static_cast<uInt>(other.size())),
            Z_OK);
  SpdyHeaderInflater inflater;
  auto got = inflater.Decompress(ZlibDeflate(out, EncodeSpdyHeaderBlock({{"a", "b"}})));
  deflateEnd(&out);
  EXPECT_FALSE(got.ok());

  SpdyHeaderDeflater deflater;
  SpdyHeaderInflater small(1000);
  std::string big = deflater.Compress(std::string(5000, 'z'));
  EXPECT_LT(big.size(), 100u);
  EXPECT_EQ(small.Decompress(big).status().code(), absl::StatusCode::kResourceExhausted);
}

// Bytes kubectl 1.29 sent for `exec -it x -- sh`, whose header blocks Go's compress/flate
// wrote: SYN_STREAMs for the error, stdin, stdout and resize streams, the first terminal size,
// a line of input, then on its way out RST_STREAM(CANCEL) for each stream and GOAWAY.
constexpr char kKubectl129ExecTty[] =
    "80030001000000290000000100000000000078f9e3c6a7c26260606004a7b392a2d4c45c"
    "6851c29a0a0a6800000000ffff800300010000001700000003000000000000c22e555c92"
    "929907000000ffff800300010000001900000005000000000000c22ac5565c92925f5a02"
    "000000ffff800300010000001800000007000000000000c22e57945a9c59950a000000ff"
    "ff00000007000000177b225769647468223a302c22486569676874223a307d0a00000003"
    "0000000e6563686f2068693b20657869740d800300030000000800000001000000058003"
    "000300000008000000030000000580030003000000080000000500000005800300030000"
    "0008000000070000000580030007000000080000000000000000";

void ExpectKubectlSequence(const std::vector<SpdyFrame>& frames) {
  ASSERT_EQ(frames.size(), 11u);
  const char* types[] = {"error", "stdin", "stdout", "resize"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(frames[i].type, SpdyType::kSynStream);
    EXPECT_EQ(frames[i].stream_id, static_cast<uint32_t>(2 * i + 1));
    EXPECT_EQ(frames[i].flags, 0);
    SpdyHeaders want = {{"streamtype", types[i]}};
    EXPECT_EQ(frames[i].headers, want);
  }
  EXPECT_EQ(frames[4].type, SpdyType::kData);
  EXPECT_EQ(frames[4].stream_id, 7u);
  EXPECT_EQ(frames[4].data, "{\"Width\":0,\"Height\":0}\n");
  EXPECT_EQ(frames[5].stream_id, 3u);
  EXPECT_EQ(frames[5].data, "echo hi; exit\r");
  uint32_t reset[] = {1, 3, 5, 7};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(frames[6 + i].type, SpdyType::kRstStream);
    EXPECT_EQ(frames[6 + i].stream_id, reset[i]);
    EXPECT_EQ(frames[6 + i].status, kSpdyCancel);
  }
  EXPECT_EQ(frames[10].type, SpdyType::kGoAway);
  EXPECT_EQ(frames[10].stream_id, 0u);
  EXPECT_EQ(frames[10].status, kSpdyGoAwayOk);
}

TEST(SpdyDecoderTest, KubectlCapture) {
  std::string bytes = Unhex(kKubectl129ExecTty);
  SpdyDecoder whole;
  whole.Feed(bytes);
  auto frames = DecodeAll(whole);
  EXPECT_EQ(whole.error(), "");
  ExpectKubectlSequence(frames);

  // The same a byte at a time.
  SpdyDecoder trickle;
  std::vector<SpdyFrame> got;
  for (char c : bytes) {
    trickle.Feed(std::string_view(&c, 1));
    for (auto& f : DecodeAll(trickle)) got.push_back(std::move(f));
  }
  EXPECT_EQ(trickle.error(), "");
  ExpectKubectlSequence(got);
}

TEST(SpdyDecoderTest, OursRoundTrip) {
  // What kubectl sends, encoded by us, decoded by us: the header stream carries across frames.
  SpdyEncoder e;
  std::string wire;
  const char* types[] = {"error", "stdin", "stdout", "resize"};
  for (int i = 0; i < 4; ++i) {
    wire += e.Encode(SpdyFrame::SynStream(2 * i + 1, {{"streamtype", types[i]}}));
  }
  wire += e.Encode(SpdyFrame::Data(7, "{\"Width\":0,\"Height\":0}\n"));
  wire += e.Encode(SpdyFrame::Data(3, "echo hi; exit\r"));
  for (uint32_t id : {1, 3, 5, 7}) wire += e.Encode(SpdyFrame::RstStream(id, kSpdyCancel));
  wire += e.Encode(SpdyFrame::GoAway(0, kSpdyGoAwayOk));
  SpdyDecoder d;
  d.Feed(wire);
  ExpectKubectlSequence(DecodeAll(d));
  EXPECT_EQ(d.error(), "");

  SpdyFrame syn = SpdyFrame::SynStream(9,
                                       {{"a", std::string("1\0"
                                                          "2",
                                                          3)},
                                        {"b", ""}},
                                       kSpdyFlagFin | kSpdyFlagUnidirectional);
  syn.associated_id = 3;
  syn.priority = 5;
  // One after the other: the second block compresses against the first.
  std::string two = e.Encode(syn);
  two += e.Encode(SpdyFrame::SynReply(9, {{"c", "d"}}, kSpdyFlagFin));
  d.Feed(two);
  auto f = d.Next();
  ASSERT_TRUE(f.has_value()) << d.error();
  EXPECT_EQ(f->associated_id, 3u);
  EXPECT_EQ(f->priority, 5);
  EXPECT_EQ(f->flags, kSpdyFlagFin | kSpdyFlagUnidirectional);
  EXPECT_EQ(f->headers, syn.headers);
  f = d.Next();
  ASSERT_TRUE(f.has_value()) << d.error();
  EXPECT_EQ(f->type, SpdyType::kSynReply);
  EXPECT_TRUE(f->fin());
  SpdyHeaders want = {{"c", "d"}};
  EXPECT_EQ(f->headers, want);
}

TEST(SpdyDecoderTest, LongDataIsSplit) {
  SpdyEncoder e;
  std::string data(kSpdyMaxFrameLength + 5, 'x');
  std::string wire = e.Encode(SpdyFrame::Data(3, data, true));
  EXPECT_EQ(wire.size(), data.size() + 16);
  SpdyDecoder d;
  d.Feed(wire);
  auto frames = DecodeAll(d);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].data.size(), kSpdyMaxFrameLength);
  EXPECT_FALSE(frames[0].fin());
  EXPECT_EQ(frames[1].data, "xxxxx");
  EXPECT_TRUE(frames[1].fin());
}

TEST(SpdyDecoderTest, Errors) {
  struct Case {
    std::string hex, error;
  } cases[] = {
      {"800200060000000400000001", "unsupported SPDY version 2"},
      {"80030006000000050000000100", "malformed SPDY control frame of type 6 (5 bytes)"},
      {"800300030000000400000001", "malformed SPDY control frame of type 3 (4 bytes)"},
      {"8003000400000008000000020000000700000001",
       "malformed SPDY control frame of type 4 (8 bytes)"},
      {"0000000000000000", "SPDY data frame on stream 0"},
      {"800300010000000c00000001000000000000ffff", ""},  // junk header block
  };
  for (const auto& c : cases) {
    SpdyDecoder d;
    d.Feed(Unhex(c.hex));
    EXPECT_FALSE(d.Next().has_value()) << c.hex;
    if (c.error.empty()) {
      EXPECT_NE(d.error(), "") << c.hex;
    } else {
      EXPECT_EQ(d.error(), c.error);
    }
  }
  // Unknown control types (CREDENTIAL, 10) are skipped; an incomplete frame waits.
  SpdyDecoder d;
  d.Feed(
      Unhex("8003000a00000002abcd"
            "800300060000000400000009"
            "00000003000000"));
  auto f = d.Next();
  ASSERT_TRUE(f.has_value()) << d.error();
  EXPECT_EQ(f->type, SpdyType::kPing);
  EXPECT_EQ(f->value, 9u);
  EXPECT_FALSE(d.Next().has_value());
  EXPECT_EQ(d.error(), "");
  EXPECT_EQ(d.buffered(), 7u);
}

}  // namespace
}  // namespace skiff::agent::server
