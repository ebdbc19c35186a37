from eval.cli import eval_command

eval_command()
