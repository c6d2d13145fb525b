// StaticFiles: the web front end served from memory; content types, caching, `..` refused, 404.
#include "api/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace canvass {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("canvass-static-" + std::to_string(rd()));
    dist_ = root_ / "dist";
    fs::create_directories(dist_ / "assets");
    Write(dist_ / "index.html", "<!doctype html><title>Canvass</title>");
    Write(dist_ / "assets" / "index-B1x2y3z4.js", "console.log(1)");
    Write(dist_ / "assets" / "index-Cq_9-Zz0.css", "body{}");
    Write(dist_ / "favicon.svg", "<svg/>");
    Write(dist_ / "robots.txt", "User-agent: *");
    Write(root_ / "secret.txt", "outside the directory");
    auto loaded = StaticFiles::Load(dist_.string());
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    files_ = std::move(loaded).value();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  static void Write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  HttpResponse Get(const std::string& path, const std::string& method = "GET") {
    HttpRequest req;
    req.method = method;
    req.path = path;
    return files_->Serve(req);
  }
  static std::string HeaderOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  static std::string BodyOf(const HttpResponse& r) {
    return r.shared_body ? *r.shared_body : r.body;
  }

  fs::path root_;
  fs::path dist_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, RootIsIndexHtml) {
  HttpResponse r = Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(BodyOf(r), "<!doctype html><title>Canvass</title>");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(Get("/index.html").status, 200);
  EXPECT_EQ(files_->file_count(), 5u);
}

TEST_F(StaticFilesTest, ContentTypesByExtension) {
  EXPECT_EQ(Get("/assets/index-B1x2y3z4.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/assets/index-Cq_9-Zz0.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/favicon.svg").content_type, "image/svg+xml");
  EXPECT_EQ(Get("/robots.txt").content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a/b.PNG"), "image/png");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.json"), "application/json");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(StaticFiles::ContentTypeFor("noextension"), "application/octet-stream");
  EXPECT_EQ(StaticFiles::ContentTypeFor("dir.d/noextension"), "application/octet-stream");
}

TEST_F(StaticFilesTest, HashedAssetsAreCachedForAYear) {
  HttpResponse js = Get("/assets/index-B1x2y3z4.js");
  EXPECT_EQ(HeaderOf(js, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(Get("/assets/index-Cq_9-Zz0.css"), "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(Get("/favicon.svg"), "Cache-Control"), "no-cache");
  EXPECT_TRUE(StaticFiles::IsHashedAsset("assets/vendor-DkP0a_7Q.js"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("assets/logo.svg"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("assets/a-b.js"));
  EXPECT_FALSE(StaticFiles::IsHashedAsset("index-B1x2y3z4.js"));
}

TEST_F(StaticFilesTest, EtagRevalidates) {
  HttpResponse first = Get("/");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  HttpRequest req;
  req.method = "GET";
  req.path = "/";
  req.headers["if-none-match"] = etag;
  HttpResponse again = files_->Serve(req);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(BodyOf(again).empty());
}

TEST_F(StaticFilesTest, HeadAnswersLikeGetAndOtherMethodsAreRefused) {
  EXPECT_EQ(Get("/", "HEAD").status, 200);
  HttpResponse post = Get("/", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(HeaderOf(post, "Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, NothingOutsideTheDirectory) {
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/..", "/./index.html", "/%2e%2e/secret.txt",
        "/assets/%2E%2E/index.html", "/..\\secret.txt", "/assets\\..\\..\\secret.txt"}) {
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(BodyOf(r).find("outside the directory"), std::string::npos) << path;
  }
  EXPECT_EQ(Get("/secret.txt").status, 404);
}

TEST_F(StaticFilesTest, UnknownFilesAre404) {
  EXPECT_EQ(Get("/nope.html").status, 404);
  EXPECT_EQ(Get("/assets/").status, 404);  // no index.html there
  EXPECT_EQ(Get("/assets").status, 404);   // a directory is not a file
}

TEST(StaticFilesLoad, MissingDirectoryIsNotFound) {
  auto loaded = StaticFiles::Load("/nonexistent/canvass/web/dist");
  EXPECT_FALSE(loaded.ok());
}

}  // namespace
}  // namespace canvass
