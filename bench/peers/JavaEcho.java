// JavaEcho: the JVM peer of the cold-start and warm-invoke benchmarks. A Lambda custom runtime
// in plain Java (no library beyond the JDK): GET /next, POST the event bytes back to
// /{id}/response, forever. java.net.HttpURLConnection keeps the connection alive between
// requests and loads far fewer classes at start-up than java.net.http.HttpClient.
//
// Launched by java_echo_bootstrap.sh (AWS_LAMBDA_RUNTIME_API comes from the environment).
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;

public final class JavaEcho {
  private JavaEcho() {}

  public static void main(String[] args) throws IOException {
    String base = "http://" + System.getenv("AWS_LAMBDA_RUNTIME_API")
        + "/2018-06-01/runtime/invocation/";
    URL next = URI.create(base + "next").toURL();
    while (true) {
      HttpURLConnection get = (HttpURLConnection) next.openConnection();
      String requestId = get.getHeaderField("Lambda-Runtime-Aws-Request-Id");
      byte[] event;
      try (InputStream in = get.getInputStream()) {
        event = in.readAllBytes();
      }
      HttpURLConnection post =
          (HttpURLConnection) URI.create(base + requestId + "/response").toURL().openConnection();
      post.setRequestMethod("POST");
      post.setDoOutput(true);
      post.setFixedLengthStreamingMode(event.length);
      post.setRequestProperty("Content-Type", "application/json");
      try (OutputStream out = post.getOutputStream()) {
        out.write(event);
      }
      try (InputStream in = post.getInputStream()) {
        in.readAllBytes();  // 202 {"status":"OK"}; reading it to the end keeps the connection
      }
    }
  }
}
