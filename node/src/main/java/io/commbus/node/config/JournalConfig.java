package io.commbus.node.config;

import io.commbus.adapter.postgres.PostgresCheckpointStore;
import io.commbus.adapter.postgres.PostgresDispatchLeases;
import io.commbus.adapter.postgres.PostgresJournal;
import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.DispatchLeases;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.file.FileCheckpointStore;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Which journal the node keeps its events in: the embedded file journal (the default, for one
 * node) or PostgreSQL (for clusters, where every node must follow the same log).
 */
public final class JournalConfig {

  /** The journal implementations a node can run on. */
  public enum Kind { FILE, POSTGRES }

  /** Where the file journal goes unless configured: {@code data/journal} beside the configuration. */
  public static final Path DEFAULT_DIRECTORY = Path.of("data", "journal");
  /** The folder of the file journal's directory that holds the checkpoints of consumer groups. */
  public static final String CHECKPOINT_DIRECTORY = "checkpoints";

  private Kind kind = Kind.FILE;
  private FileJournalOptions file = new FileJournalOptions(DEFAULT_DIRECTORY);
  private PostgresJournalOptions postgres = new PostgresJournalOptions();

  public Kind getKind() {
    return kind;
  }

  public JournalConfig setKind(Kind kind) {
    this.kind = Objects.requireNonNull(kind, "kind");
    return this;
  }

  /** The file journal's settings; used when the kind is {@link Kind#FILE}. */
  public FileJournalOptions getFile() {
    return file;
  }

  public JournalConfig setFile(FileJournalOptions file) {
    this.file = Objects.requireNonNull(file, "file");
    this.kind = Kind.FILE;
    return this;
  }

  /** The PostgreSQL journal's settings; used when the kind is {@link Kind#POSTGRES}. */
  public PostgresJournalOptions getPostgres() {
    return postgres;
  }

  public JournalConfig setPostgres(PostgresJournalOptions postgres) {
    this.postgres = Objects.requireNonNull(postgres, "postgres");
    this.kind = Kind.POSTGRES;
    return this;
  }

  /** Opens (or creates) the journal; the caller closes it. */
  public Future<EventJournal> open(Vertx vertx) {
    if (kind == Kind.POSTGRES) {
      return PostgresJournal.open(vertx, postgres).map(journal -> journal);
    }
    return FileJournal.open(vertx, file).map(journal -> journal);
  }

  /**
   * Where consumer groups keep their checkpoints: beside the events, in PostgreSQL for that
   * journal, and in {@code checkpoints/} inside the file journal's directory for that one.
   */
  public CheckpointStore checkpoints(Vertx vertx) {
    if (kind == Kind.POSTGRES) {
      return PostgresCheckpointStore.create(vertx, postgres);
    }
    return new FileCheckpointStore(vertx, file.getDirectory().resolve(CHECKPOINT_DIRECTORY));
  }

  /**
   * Who may dispatch a consumer group: with PostgreSQL, a lease row beside the events, so nodes
   * that share the journal run one dispatcher per group even when their cluster is split; null
   * with the file journal, which one node owns (the bus's default lock then suffices).
   */
  public DispatchLeases leases(Vertx vertx) {
    return kind == Kind.POSTGRES ? PostgresDispatchLeases.create(vertx, postgres) : null;
  }

  /** {@code file /var/lib/commbus/journal}, {@code postgres 127.0.0.1:5432/test table commbus_journal}. */
  public String describe() {
    if (kind == Kind.POSTGRES) {
      return "postgres " + postgres.getConnect().getHost() + ":" + postgres.getConnect().getPort() + "/"
          + postgres.getConnect().getDatabase() + " table " + postgres.getTable();
    }
    return "file " + file.getDirectory().toAbsolutePath();
  }
}
