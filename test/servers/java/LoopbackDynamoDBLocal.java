import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local like its own main class, but bound to 127.0.0.1: DynamoDB Local has no
 * option for the listen address and binds every interface, while oncely's test servers must
 * not be reachable from the network. Run with Java's source-file mode (no build step):
 * java -cp 'jars/dynamodb/*' LoopbackDynamoDBLocal.java -inMemory -port N ...
 */
public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    try {
      // The Jetty server is private and created unstarted; set the host before start().
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      Server jetty = (Server) field.get(proxy);
      for (Connector connector : jetty.getConnectors()) {
        ((ServerConnector) connector).setHost("127.0.0.1");
      }
    } catch (ReflectiveOperationException | ClassCastException e) {
      // A newer DynamoDB Local changed its internals: keep the tests running, say so in the log.
      System.err.println("WARN oncely: could not bind DynamoDB Local to 127.0.0.1: " + e);
    }
    proxy.start();
  }
}
