// java.util.logging's default SimpleFormatter, through a FileHandler (jul.log,
// every level) and the root logger's ConsoleHandler (stderr.log, INFO and
// above), plus Throwable.printStackTrace() of an uncaught-style trace.
// Usage: sh jul.sh OUTDIR   (javac + java 17; the JVM's zone is TZ's)
import java.util.logging.*;

public class Jul {
    static final Logger log = Logger.getLogger("shop.orders");

    static void charge(String rid) {
        try {
            amount(rid);
        } catch (RuntimeException e) {
            IllegalStateException outer = new IllegalStateException("charge failed request_id=" + rid, e);
            outer.addSuppressed(new java.io.UncheckedIOException("close failed", new java.io.IOException("socket closed")));
            throw outer;
        }
    }

    static void amount(String rid) {
        throw new IllegalArgumentException("bad amount");
    }

    static void handle(String rid) {
        log.info("order received request_id=" + rid);
        log.config("tax table loaded request_id=" + rid);
        log.fine("cart priced request_id=" + rid);
        log.warning("payment slow request_id=" + rid);
        try {
            charge(rid);
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, "charge failed request_id=" + rid, e);
        }
        log.info("other order request_id=" + rid + "0");
    }

    public static void main(String[] args) throws Exception {
        FileHandler file = new FileHandler(args[0]);
        file.setFormatter(new SimpleFormatter());
        file.setLevel(Level.ALL);
        log.setLevel(Level.ALL);
        log.addHandler(file);
        handle("abc123");
        Thread.sleep(1100);
        log.info("refund issued request_id=abc123");
        try {
            charge("abc123");
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }
}
