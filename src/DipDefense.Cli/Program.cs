using System.CommandLine;
using DipDefense.Cli;
using DipDefense.Cli.Commands;

var root = new RootCommand("dipdefense: adversarial-example defense for image classifiers (decision-space Deep Image Prior).")
{
    ClassifyCommand.Create(),
    AttackCommand.Create(),
    PurifyCommand.Create(),
    CalibrateCommand.Create(),
    TrainVictimCommand.Create(),
    BenchCommand.Create(),
    EvaluateCommand.Create(),
    MergeCommand.Create(),
    ReportCommand.Create(),
};
return CommandRunner.Invoke(root, args);
