package io.commbus.node.cli;

import io.commbus.node.demo.PipelineDemo;
import io.commbus.node.demo.TradingDemo;

import java.io.PrintStream;
import java.util.List;

/** The demos, end to end in this process: the trading desk, and the audio pipeline. */
final class DemoCommand implements Command {

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "run a demo end to end: the trading desk (default), or an audio pipeline (demo pipeline)";
  }

  @Override
  public String help() {
    return "usage: commbus demo [trading | pipeline]\n\n"
        + "commbus demo (or demo trading): the trading desk.\n"
        + "Starts a node in this process (an embedded file journal in a temporary directory, the\n"
        + "coordinator, and a pool of 2 Python workers running examples/trading/strategy.py), then:\n"
        + "  1. starts the node and its workers\n"
        + "  2. dispatches 5 orders at once; each worker reads 100 prices from the Java callback\n"
        + "     market.MarketData, asks risk.PositionCheck, and publishes trading.TradeExecuted\n"
        + "  3. shows a subscriber receiving the journaled TradeExecuted events\n"
        + "  4. shows the consumer group \"settlement\" processing them from the journal\n"
        + "  5. kills one worker with SIGKILL and shows it restart\n"
        + "  6. shows the next orders succeed\n"
        + "commbus demo pipeline: the audio pipeline of examples/pipeline (tone -> gate -> resample -> sink,\n"
        + "a process per node) as two sessions at once; 1.5 s in, one node of each is killed with SIGKILL:\n"
        + "the session whose failure policy is restart starts it again and goes on (counting the frames\n"
        + "lost), the other ends naming the node. Reports the frames checked and the latency of each hop.\n"
        + "Needs python3 on PATH. Exits 0 when every step behaved as shown; the directory is removed.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (args.size() == 1 && args.get(0).equals("pipeline")) {
      return new PipelineDemo(out).run();
    }
    if (args.isEmpty() || args.size() == 1 && args.get(0).equals("trading")) {
      return new TradingDemo(out).run();
    }
    err.println("commbus demo: the demos are trading (the default) and pipeline, not " + args);
    return Main.USAGE;
  }
}
