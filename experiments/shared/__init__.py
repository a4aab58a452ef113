"""What every room of `experiments` shares: atomic files and tables (`io`), the output
folder rule and OS errors (`outputs`), datapackage.json (`datapackage`), matplotlib
(`plots`) and clean stops on signals (`stopping`).

Nothing here imports another room of `experiments`.
"""
