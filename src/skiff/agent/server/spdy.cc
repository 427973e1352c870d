#include "skiff/agent/server/spdy.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "skiff/api/text.h"

namespace skiff::agent::server {

namespace {

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void PutU16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

uint32_t GetU32(std::string_view s, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// The 8-byte header of a control frame whose payload is `length` bytes.
void PutControlHeader(std::string& out, SpdyType type, uint8_t flags, size_t length) {
  PutU16(out, 0x8000 | kSpdyVersion);
  PutU16(out, static_cast<uint16_t>(type));
  PutU32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(length));
}

std::string BuildDictionary() {
  // The spec's dictionary: header names and common values, each behind its 32-bit length, then
  // status codes and phrases, dates and content types run together.
  static constexpr std::string_view kWords[] = {
      "options",
      "head",
      "post",
      "put",
      "delete",
      "trace",
      "accept",
      "accept-charset",
      "accept-encoding",
      "accept-language",
      "accept-ranges",
      "age",
      "allow",
      "authorization",
      "cache-control",
      "connection",
      "content-base",
      "content-encoding",
      "content-language",
      "content-length",
      "content-location",
      "content-md5",
      "content-range",
      "content-type",
      "date",
      "etag",
      "expect",
      "expires",
      "from",
      "host",
      "if-match",
      "if-modified-since",
      "if-none-match",
      "if-range",
      "if-unmodified-since",
      "last-modified",
      "location",
      "max-forwards",
      "pragma",
      "proxy-authenticate",
      "proxy-authorization",
      "range",
      "referer",
      "retry-after",
      "server",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
      "user-agent",
      "vary",
      "via",
      "warning",
      "www-authenticate",
      "method",
      "get",
      "status",
      "200 OK",
      "version",
      "HTTP/1.1",
      "url",
      "public",
      "set-cookie",
      "keep-alive",
      "origin",
  };
  static constexpr std::string_view kTail[] = {
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505",
      "203 Non-Authoritative Information",
      "204 No Content",
      "301 Moved Permanently",
      "400 Bad Request",
      "401 Unauthorized",
      "403 Forbidden",
      "404 Not Found",
      "500 Internal Server Error",
      "501 Not Implemented",
      "503 Service Unavailable",
      "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ",
      "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT",
      "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,",
      "text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch",
      "charset=utf-8charset=iso-8859-1,utf-,*,enq=0.",
  };
  std::string d;
  for (std::string_view w : kWords) {
    PutU32(d, static_cast<uint32_t>(w.size()));
    d.append(w);
  }
  for (std::string_view t : kTail) d.append(t);
  return d;
}

}  // namespace

SpdyFrame SpdyFrame::Data(uint32_t stream_id, std::string data, bool fin) {
  SpdyFrame f;
  f.stream_id = stream_id;
  f.data = std::move(data);
  f.flags = fin ? kSpdyFlagFin : 0;
  return f;
}

SpdyFrame SpdyFrame::SynStream(uint32_t stream_id, SpdyHeaders headers, uint8_t flags) {
  SpdyFrame f;
  f.type = SpdyType::kSynStream;
  f.stream_id = stream_id;
  f.headers = std::move(headers);
  f.flags = flags;
  return f;
}

SpdyFrame SpdyFrame::SynReply(uint32_t stream_id, SpdyHeaders headers, uint8_t flags) {
  SpdyFrame f = SynStream(stream_id, std::move(headers), flags);
  f.type = SpdyType::kSynReply;
  return f;
}

SpdyFrame SpdyFrame::RstStream(uint32_t stream_id, uint32_t status) {
  SpdyFrame f;
  f.type = SpdyType::kRstStream;
  f.stream_id = stream_id;
  f.status = status;
  return f;
}

SpdyFrame SpdyFrame::Ping(uint32_t id) {
  SpdyFrame f;
  f.type = SpdyType::kPing;
  f.value = id;
  return f;
}

SpdyFrame SpdyFrame::GoAway(uint32_t last_good_stream_id, uint32_t status) {
  SpdyFrame f;
  f.type = SpdyType::kGoAway;
  f.stream_id = last_good_stream_id;
  f.status = status;
  return f;
}

SpdyFrame SpdyFrame::WindowUpdate(uint32_t stream_id, uint32_t delta) {
  SpdyFrame f;
  f.type = SpdyType::kWindowUpdate;
  f.stream_id = stream_id;
  f.value = delta;
  return f;
}

std::string_view SpdyHeaderDictionary() {
  static const std::string* dictionary = new std::string(BuildDictionary());
  return *dictionary;
}

std::string EncodeSpdyHeaderBlock(const SpdyHeaders& headers) {
  std::string b;
  PutU32(b, static_cast<uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    PutU32(b, static_cast<uint32_t>(name.size()));
    for (char c : name) b.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    PutU32(b, static_cast<uint32_t>(value.size()));
    b.append(value);
  }
  return b;
}

absl::StatusOr<SpdyHeaders> DecodeSpdyHeaderBlock(std::string_view block) {
  auto truncated = [] { return absl::InvalidArgumentError("truncated SPDY header block"); };
  if (block.size() < 4) return truncated();
  uint32_t count = GetU32(block, 0);
  size_t at = 4;
  // Each pair takes at least 8 bytes: no count can promise more pairs than the block holds.
  if (count > (block.size() - at) / 8) return truncated();
  SpdyHeaders headers;
  headers.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string parts[2];
    for (std::string& part : parts) {
      if (block.size() - at < 4) return truncated();
      uint32_t len = GetU32(block, at);
      at += 4;
      if (block.size() - at < len) return truncated();
      part.assign(block.substr(at, len));
      at += len;
    }
    for (char& c : parts[0]) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  if (at != block.size()) {
    return absl::InvalidArgumentError("SPDY header block longer than its pairs");
  }
  return headers;
}

struct SpdyHeaderDeflater::Stream {
  z_stream z{};
};

SpdyHeaderDeflater::SpdyHeaderDeflater() : z_(std::make_unique<Stream>()) {
  // Only allocation can fail here, and then nothing else would work either.
  deflateInit(&z_->z, Z_DEFAULT_COMPRESSION);
  std::string_view dict = SpdyHeaderDictionary();
  deflateSetDictionary(&z_->z, reinterpret_cast<const Bytef*>(dict.data()),
                       static_cast<uInt>(dict.size()));
}

SpdyHeaderDeflater::~SpdyHeaderDeflater() { deflateEnd(&z_->z); }

std::string SpdyHeaderDeflater::Compress(std::string_view block) {
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  z.avail_in = static_cast<uInt>(block.size());
  std::string out;
  char chunk[4096];
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    deflate(&z, Z_SYNC_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

struct SpdyHeaderInflater::Stream {
  z_stream z{};
  bool broken = false;
};

SpdyHeaderInflater::SpdyHeaderInflater(size_t max_block_bytes)
    : max_block_bytes_(max_block_bytes), z_(std::make_unique<Stream>()) {
  z_->broken = inflateInit(&z_->z) != Z_OK;
}

SpdyHeaderInflater::~SpdyHeaderInflater() { inflateEnd(&z_->z); }

absl::StatusOr<std::string> SpdyHeaderInflater::Decompress(std::string_view compressed) {
  if (z_->broken) return absl::FailedPreconditionError("SPDY header stream already broken");
  z_stream& z = z_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[4096];
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      std::string_view dict = SpdyHeaderDictionary();
      rc = inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()),
                                static_cast<uInt>(dict.size()));
      if (rc != Z_OK) {
        z_->broken = true;
        return absl::InvalidArgumentError(
            "SPDY header block compressed with another dictionary than SPDY/3's");
      }
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
      z_->broken = true;
      return absl::InvalidArgumentError(
          api::Cat("SPDY header block does not inflate: ", z.msg ? z.msg : "zlib error"));
    }
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > max_block_bytes_) {
      z_->broken = true;
      return absl::ResourceExhaustedError(
          api::Cat("SPDY header block inflates past ", max_block_bytes_, " bytes"));
    }
    // Done once the input is used up and zlib had room to spare (nothing left to flush).
    if ((z.avail_in == 0 && z.avail_out != 0) || rc == Z_STREAM_END || rc == Z_BUF_ERROR) break;
  }
  if (z.avail_in != 0) {
    z_->broken = true;
    return absl::InvalidArgumentError("SPDY header block has bytes past the end of its stream");
  }
  return out;
}

std::string SpdyEncoder::Encode(const SpdyFrame& f) {
  std::string out;
  switch (f.type) {
    case SpdyType::kData: {
      std::string_view rest = f.data;
      do {
        size_t n = std::min<size_t>(rest.size(), kSpdyMaxFrameLength);
        bool last = n == rest.size();
        PutU32(out, f.stream_id & 0x7fffffff);
        uint8_t flags = last ? f.flags : static_cast<uint8_t>(f.flags & ~kSpdyFlagFin);
        PutU32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(n));
        out.append(rest.substr(0, n));
        rest.remove_prefix(n);
      } while (!rest.empty());
      return out;
    }
    case SpdyType::kSynStream: {
      std::string block = deflater_.Compress(EncodeSpdyHeaderBlock(f.headers));
      PutControlHeader(out, f.type, f.flags, 10 + block.size());
      PutU32(out, f.stream_id & 0x7fffffff);
      PutU32(out, f.associated_id & 0x7fffffff);
      out.push_back(static_cast<char>((f.priority & 0x7) << 5));
      out.push_back(static_cast<char>(f.slot));
      out.append(block);
      return out;
    }
    case SpdyType::kSynReply:
    case SpdyType::kHeaders: {
      std::string block = deflater_.Compress(EncodeSpdyHeaderBlock(f.headers));
      PutControlHeader(out, f.type, f.flags, 4 + block.size());
      PutU32(out, f.stream_id & 0x7fffffff);
      out.append(block);
      return out;
    }
    case SpdyType::kRstStream:
    case SpdyType::kGoAway:
      PutControlHeader(out, f.type, 0, 8);
      PutU32(out, f.stream_id & 0x7fffffff);
      PutU32(out, f.status);
      return out;
    case SpdyType::kWindowUpdate:
      PutControlHeader(out, f.type, 0, 8);
      PutU32(out, f.stream_id & 0x7fffffff);
      PutU32(out, f.value & 0x7fffffff);
      return out;
    case SpdyType::kPing:
      PutControlHeader(out, f.type, 0, 4);
      PutU32(out, f.value);
      return out;
    case SpdyType::kSettings:
      PutControlHeader(out, f.type, f.flags, 4 + 8 * f.settings.size());
      PutU32(out, static_cast<uint32_t>(f.settings.size()));
      for (const SpdySetting& s : f.settings) {
        PutU32(out, (uint32_t{s.flags} << 24) | (s.id & 0xffffff));
        PutU32(out, s.value);
      }
      return out;
  }
  return out;
}

void SpdyDecoder::Feed(std::string_view bytes) {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

std::optional<SpdyFrame> SpdyDecoder::Fail(std::string message) {
  error_ = std::move(message);
  return std::nullopt;
}

std::optional<SpdyFrame> SpdyDecoder::Next() {
  while (error_.empty()) {
    std::string_view in = std::string_view(buf_).substr(pos_);
    if (in.size() < 8) return std::nullopt;
    uint32_t first = GetU32(in, 0);
    uint32_t second = GetU32(in, 4);
    size_t length = second & 0xffffff;
    if (in.size() - 8 < length) return std::nullopt;
    std::string_view payload = in.substr(8, length);
    pos_ += 8 + length;
    SpdyFrame f;
    f.flags = static_cast<uint8_t>(second >> 24);
    if ((first & 0x80000000) == 0) {
      f.stream_id = first & 0x7fffffff;
      if (f.stream_id == 0) return Fail("SPDY data frame on stream 0");
      f.data.assign(payload);
      return f;
    }
    uint16_t version = (first >> 16) & 0x7fff;
    if (version != kSpdyVersion) return Fail(api::Cat("unsupported SPDY version ", version));
    auto type = static_cast<SpdyType>(first & 0xffff);
    f.type = type;
    auto need = [&](size_t n, bool exact) {
      return exact ? payload.size() == n : payload.size() >= n;
    };
    auto headers = [&](std::string_view compressed) -> bool {
      auto block = inflater_.Decompress(compressed);
      if (!block.ok()) {
        error_ = std::string(block.status().message());
        return false;
      }
      auto decoded = DecodeSpdyHeaderBlock(*block);
      if (!decoded.ok()) {
        error_ = std::string(decoded.status().message());
        return false;
      }
      f.headers = std::move(*decoded);
      return true;
    };
    auto malformed = [&] {
      return Fail(api::Cat("malformed SPDY control frame of type ", static_cast<int>(type), " (",
                           payload.size(), " bytes)"));
    };
    switch (type) {
      case SpdyType::kSynStream:
        if (!need(10, false)) return malformed();
        f.stream_id = GetU32(payload, 0) & 0x7fffffff;
        f.associated_id = GetU32(payload, 4) & 0x7fffffff;
        f.priority = static_cast<uint8_t>(static_cast<uint8_t>(payload[8]) >> 5);
        f.slot = static_cast<uint8_t>(payload[9]);
        if (!headers(payload.substr(10))) return std::nullopt;
        if (f.stream_id == 0) return Fail("SPDY SYN_STREAM for stream 0");
        return f;
      case SpdyType::kSynReply:
      case SpdyType::kHeaders:
        if (!need(4, false)) return malformed();
        f.stream_id = GetU32(payload, 0) & 0x7fffffff;
        if (!headers(payload.substr(4))) return std::nullopt;
        return f;
      case SpdyType::kRstStream:
      case SpdyType::kGoAway:
        if (!need(8, true)) return malformed();
        f.stream_id = GetU32(payload, 0) & 0x7fffffff;
        f.status = GetU32(payload, 4);
        return f;
      case SpdyType::kWindowUpdate:
        if (!need(8, true)) return malformed();
        f.stream_id = GetU32(payload, 0) & 0x7fffffff;
        f.value = GetU32(payload, 4) & 0x7fffffff;
        return f;
      case SpdyType::kPing:
        if (!need(4, true)) return malformed();
        f.value = GetU32(payload, 0);
        return f;
      case SpdyType::kSettings: {
        if (!need(4, false)) return malformed();
        uint32_t count = GetU32(payload, 0);
        if ((payload.size() - 4) / 8 != count || (payload.size() - 4) % 8 != 0) {
          return malformed();
        }
        for (uint32_t i = 0; i < count; ++i) {
          uint32_t flags_id = GetU32(payload, 4 + 8 * i);
          f.settings.push_back({static_cast<uint8_t>(flags_id >> 24), flags_id & 0xffffff,
                                GetU32(payload, 8 + 8 * i)});
        }
        return f;
      }
      default:
        continue;  // unknown control frames are ignored
    }
  }
  return std::nullopt;
}

}  // namespace skiff::agent::server
